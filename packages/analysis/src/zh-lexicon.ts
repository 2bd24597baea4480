import { readFileSync } from 'node:fs';
import type { Aspect } from './lexicon.ts';
import { loadZhScript, simplify, type ZhScript } from './zh-script.ts';

/**
 * Chinese word knowledge, all in Simplified script (Traditional input is converted as it is read):
 * a customer-feedback dictionary with valences, negators, degree words, contrast words, aspect terms,
 * and the NTUSD sentiment lexicon (National Taiwan University, MIT; shipped in `data/sentiment-zh/`).
 * The scanner segments Chinese by forward maximum matching against these words, longest first.
 */

/** Longest dictionary word, in characters; longer NTUSD entries are left out. */
export const ZH_MAX_WORD = 6;

/** Longest Chinese aspect term, in characters (aspect terms are looked for at every character). */
export const ZH_MAX_ASPECT_TERM = 4;

/** Valence of an NTUSD word with no entry of its own below (the learned layer weighs it further). */
export const NTUSD_VALENCE = 1;

/** Customer-feedback words (valence −5…5); they override NTUSD. */
// biome-ignore format: a word table reads best packed
export const ZH_DOMAIN_VALENCES: Readonly<Record<string, number>> = {
  好: 2, 很好: 3, 不错: 2, 挺好: 2, 好用: 3, 满意: 3, 喜欢: 2, 推荐: 2, 值得: 2, 物超所值: 3, 划算: 2,
  实惠: 2, 便宜: 1, 棒: 3, 赞: 3, 完美: 3, 优秀: 3, 精致: 2, 舒服: 2, 舒适: 2, 方便: 2, 快捷: 2, 流畅: 2,
  及时: 2, 耐心: 2, 热情: 2, 专业: 2, 周到: 2, 贴心: 2, 给力: 3, 靠谱: 2, 稳定: 2, 结实: 2, 清晰: 2,
  没问题: 2, 没有问题: 2, 没毛病: 2, 好评: 3, 五星: 2, 惊喜: 2, 感谢: 2, 谢谢: 1, 开心: 2, 高兴: 2, 值: 1,
  差: -2, 很差: -3, 太差: -3, 差劲: -3, 垃圾: -3, 失望: -3, 后悔: -3, 坑: -2, 坑人: -3, 骗: -3, 骗子: -3,
  欺骗: -3, 假货: -3, 贵: -1, 太贵: -2, 不值: -2, 闪退: -3, 卡顿: -2, 卡死: -3, 死机: -3, 崩溃: -3,
  故障: -2, 坏: -2, 坏了: -2, 破损: -2, 漏: -1, 慢: -1, 太慢: -2, 延迟: -2, 难用: -3, 麻烦: -2, 复杂: -1,
  退款: -2, 退货: -2, 投诉: -3, 差评: -3, 不满: -3, 生气: -3, 无语: -2, 无奈: -2, 糟糕: -3, 烂: -3,
  敷衍: -3, 态度差: -3, 没人: -1, 没人理: -3, 不理: -2, 不回: -2, 不回复: -2, 等了: -1, 一般: -1,
  凑合: -1, 勉强: -1, 问题: -1, 毛病: -2, 缺点: -1, 难吃: -3, 好吃: 2, 漂亮: 2, 好看: 2, 难看: -2,
  吵: -1, 脏: -2, 臭: -2, 旧: -1, 假: -2, 错: -1, 丢: -1, 丢失: -2, 少发: -2, 发错: -2, 漏发: -2,
  bug: -2, 异味: -2, 掉色: -2, 起球: -2, 褪色: -2, 偏小: -1, 偏大: -1, 不合适: -2, 不好: -2, 不满意: -3, 不喜欢: -2, 不推荐: -2,
  不值得: -2, 不舒服: -2, 不方便: -2, 不好用: -3,
};

export const ZH_NEGATORS: readonly string[] = [
  '不',
  '没',
  '没有',
  '别',
  '未',
  '无',
  '不是',
  '并不',
  '并没有',
  '从不',
  '从没',
  '从来没有',
  '毫不',
  '绝不',
  '不太',
  '不怎么',
  '不够',
  '非',
];

/** Degree words: multipliers like the English intensifiers and diminishers. */
// biome-ignore format: a word table reads best packed
export const ZH_MODIFIERS: Readonly<Record<string, number>> = {
  很: 1.3, 非常: 1.6, 太: 1.5, 特别: 1.6, 十分: 1.6, 极其: 1.8, 极: 1.8, 超: 1.5, 超级: 1.6, 最: 1.6,
  相当: 1.4, 真: 1.3, 真的: 1.3, 挺: 1.2, 蛮: 1.2, 好不: 1.3, 更: 1.2, 越来越: 1.3, 实在: 1.4,
  有点: 0.6, 有些: 0.6, 有点儿: 0.6, 稍微: 0.5, 稍: 0.5, 略: 0.5, 略微: 0.5, 比较: 0.8, 还算: 0.7,
};

/** Contrast: what follows outweighs what came before (as "but"). */
export const ZH_BUT_WORDS: readonly string[] = ['但是', '但', '不过', '可是', '却', '然而', '只是'];
/** Concession: the clause it opens counts less (as "although"). */
export const ZH_ALTHOUGH_WORDS: readonly string[] = ['虽然', '虽说', '尽管', '虽'];

export const ZH_ASPECT_TERMS: Readonly<Record<Aspect, readonly string[]>> = {
  price: [
    '价格',
    '价钱',
    '价位',
    '贵',
    '太贵',
    '便宜',
    '性价比',
    '划算',
    '实惠',
    '物超所值',
    '收费',
    '费用',
    '涨价',
    '优惠',
    '折扣',
  ],
  quality: [
    '质量',
    '做工',
    '品质',
    '材质',
    '用料',
    '手感',
    '质感',
    '破损',
    '假货',
    '正品',
    '掉色',
    '起球',
    '异味',
  ],
  service: [
    '客服',
    '服务',
    '态度',
    '售后',
    '服务员',
    '店家',
    '商家',
    '卖家',
    '回复',
    '退款',
    '投诉',
    '敷衍',
    '态度差',
    '没人理',
    '热情',
    '耐心',
  ],
  delivery: [
    '物流',
    '快递',
    '配送',
    '发货',
    '送货',
    '到货',
    '包装',
    '快递员',
    '运费',
    '少发',
    '发错',
    '漏发',
  ],
  usability: ['操作', '界面', '好用', '难用', '使用', '用起来', '方便', '设计', '功能', '麻烦', '复杂'],
  reliability: [
    '闪退',
    '卡顿',
    '卡死',
    '死机',
    '崩溃',
    '故障',
    'bug',
    '报错',
    '稳定',
    '不稳定',
    '坏了',
    '黑屏',
    '掉线',
  ],
  onboarding: ['上手', '教程', '安装', '说明书', '入门', '注册', '新手', '设置', '配置'],
};

export interface ZhEntry {
  word: string;
  valence: number;
  negator: boolean;
  modifier: number;
  but: boolean;
  although: boolean;
  aspects: readonly Aspect[];
}

export const NTUSD_URLS = {
  positive: new URL('../data/sentiment-zh/ntusd-positive.zh-Hant.txt', import.meta.url),
  negative: new URL('../data/sentiment-zh/ntusd-negative.zh-Hant.txt', import.meta.url),
};

/** NTUSD words in Simplified script with valence ±NTUSD_VALENCE (a word in both lists is dropped). */
export function loadNtusd(script: ZhScript = loadZhScript()): Map<string, number> {
  const out = new Map<string, number>();
  const read = (url: URL): string[] =>
    readFileSync(url, 'utf8')
      .split('\n')
      .map((w) => simplify(w.trim(), script))
      .filter((w) => w.length > 0 && w.length <= ZH_MAX_WORD);
  const positive = new Set(read(NTUSD_URLS.positive));
  for (const w of read(NTUSD_URLS.negative)) {
    if (positive.has(w)) positive.delete(w);
    else out.set(w, -NTUSD_VALENCE);
  }
  for (const w of positive) out.set(w, NTUSD_VALENCE);
  return out;
}
