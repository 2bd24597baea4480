/** Kafka facts the harness measures: how many records a topic holds, how far a group has committed. */
import type { Admin } from 'kafkajs';

/** Sum of high watermarks minus low watermarks over every partition. */
export async function topicRecordCount(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + (Number(p.high) - Number(p.low)), 0);
}

/** Records of `topic` not yet committed by any group whose id starts with `prefix` (the smallest lag). */
export async function groupLag(
  admin: Admin,
  groupPrefix: string,
  topic: string,
): Promise<number | undefined> {
  const { groups } = await admin.listGroups();
  const ends = await admin.fetchTopicOffsets(topic);
  let best: number | undefined;
  for (const { groupId } of groups.filter((g) => g.groupId.startsWith(groupPrefix))) {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    if (!committed || committed.partitions.length === 0) continue;
    let lag = 0;
    for (const end of ends) {
      const c = committed.partitions.find((p) => p.partition === end.partition);
      const at = c && Number(c.offset) >= 0 ? Number(c.offset) : Number(end.low);
      lag += Number(end.high) - at;
    }
    if (best === undefined || lag < best) best = lag;
  }
  return best;
}

/** Records of `topic` not yet committed by exactly `groupId` (undefined before its first commit). */
export async function committedLag(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<number | undefined> {
  const ends = await admin.fetchTopicOffsets(topic);
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  if (!committed) return undefined;
  let lag = 0;
  let any = false;
  for (const end of ends) {
    const c = committed.partitions.find((p) => p.partition === end.partition);
    const at = c && Number(c.offset) >= 0 ? Number(c.offset) : Number(end.low);
    if (c && Number(c.offset) >= 0) any = true;
    lag += Number(end.high) - at;
  }
  return any || lag === 0 ? lag : undefined;
}
