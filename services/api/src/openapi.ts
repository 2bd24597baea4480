/** The OpenAPI 3.1 description of the query API, served at `/openapi.json`. Hand-written, kept next to the routes. */

const num = { type: ['number', 'null'] } as const;

const Counters = {
  type: 'object',
  description: 'Raw counters of a rollup; docs/api.md defines the metrics derived from them.',
  properties: {
    count: { type: 'number' },
    npsPromoters: { type: 'number' },
    npsPassives: { type: 'number' },
    npsDetractors: { type: 'number' },
    csatSatisfied: { type: 'number' },
    csatAnswered: { type: 'number' },
    cesSum: { type: 'number' },
    cesCount: { type: 'number' },
    sentimentSum: { type: 'number' },
    sentimentCount: { type: 'number' },
    sentimentNegative: { type: 'number' },
    sentimentNeutral: { type: 'number' },
    sentimentPositive: { type: 'number' },
    aspects: {
      type: 'object',
      description:
        'Per aspect: items that mention it, the sum of their aspect scores, the aspect labels, and the NPS classes of the mentioning items.',
      additionalProperties: {
        type: 'object',
        properties: {
          count: { type: 'number' },
          sum: { type: 'number' },
          negative: { type: 'number' },
          neutral: { type: 'number' },
          positive: { type: 'number' },
          npsPromoters: { type: 'number' },
          npsPassives: { type: 'number' },
          npsDetractors: { type: 'number' },
        },
      },
    },
    channels: { type: 'object', additionalProperties: { type: 'number' } },
  },
  required: ['count'],
} as const;

const Metrics = {
  type: 'object',
  description: 'Derived metrics; null when nothing was answered.',
  properties: {
    nps: { ...num, description: '%promoters − %detractors, −100…100' },
    csatPercent: { ...num, description: 'satisfied (4–5) / answered × 100' },
    cesMean: { ...num, description: 'mean CES, 1–7' },
    sentimentMean: { ...num, description: 'mean sentiment score, −1…1' },
  },
  required: ['nps', 'csatPercent', 'cesMean', 'sentimentMean'],
} as const;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const Measured = {
  type: 'object',
  properties: { counts: ref('Counters'), metrics: ref('Metrics') },
  required: ['counts', 'metrics'],
} as const;

const Series = {
  type: 'object',
  properties: {
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time', description: 'exclusive' },
    granularity: { enum: ['hour', 'day'] },
    totals: ref('Measured'),
    allTime: ref('Measured'),
    series: {
      type: 'array',
      items: {
        allOf: [
          ref('Measured'),
          { type: 'object', properties: { bucketStart: { type: 'string', format: 'date-time' } } },
        ],
      },
    },
  },
} as const;

const Problem = {
  type: 'object',
  description: 'RFC 9457 problem details (application/problem+json).',
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    issues: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
  },
  required: ['type', 'title', 'status'],
} as const;

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

const json = (schema: unknown, description = 'OK') => ({
  description,
  headers: {
    ETag: { schema: { type: 'string' }, description: 'hash of the body; send it back as If-None-Match' },
    'Cache-Control': { schema: { type: 'string' } },
  },
  content: { 'application/json': { schema } },
});

const common = {
  '304': { description: 'Not modified (If-None-Match matched the ETag)' },
  '400': problem('Invalid query parameters'),
  '401': problem('Missing or invalid API key'),
  '403': problem('The API key does not have the read scope (an ingest or erase key)'),
  '503': problem('Redis or another dependency is unavailable; retry after Retry-After seconds'),
};

const rangeParameters = [
  {
    name: 'from',
    in: 'query',
    description:
      'Start (inclusive): a date `YYYY-MM-DD` or an instant with offset. Default 30 days (48 hours by the hour) before `to`.',
    schema: { type: 'string' },
  },
  {
    name: 'to',
    in: 'query',
    description: 'End: a date (the whole day is included) or an instant. Default now.',
    schema: { type: 'string' },
  },
  { name: 'granularity', in: 'query', schema: { enum: ['hour', 'day'], default: 'day' } },
];

export function openApiDocument(version: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'vocflow query API',
      version,
      description:
        'Satisfaction rollups (NPS, CSAT, CES, sentiment) overall, per segment and per customer, bucketed by event time (UTC), and the S3 feed files for marketing.',
    },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    paths: {
      '/v1/overview': {
        get: {
          summary:
            'Totals over all feedback, by channel, with pipeline counts, worst segments and recent alerts',
          parameters: [
            {
              name: 'limit',
              in: 'query',
              description: 'how many worst segments',
              schema: { type: 'integer', minimum: 1, maximum: 500, default: 5 },
            },
            ...rangeParameters,
          ],
          responses: {
            '200': json({
              type: 'object',
              properties: {
                totals: ref('Measured'),
                channels: { type: 'object', additionalProperties: { type: 'number' } },
                pipeline: {
                  type: ['object', 'null'],
                  properties: { ingested: { type: 'number' }, dlq: { type: 'number' } },
                },
                worstSegments: { type: 'array', items: ref('SegmentMetrics') },
                recentAlerts: { type: 'array', items: { type: 'object' } },
                period: {
                  ...ref('Series'),
                  description:
                    'totals and series of all feedback in `from`…`to` (for comparing periods); only when `from`, `to` or `granularity` is given',
                },
              },
            }),
            ...common,
          },
        },
      },
      '/v1/drivers': {
        get: {
          summary:
            "A scope's aspects ranked by impact on NPS: share of mentions × (NPS of the feedback that mentions the aspect − NPS of the scope)",
          parameters: [
            {
              name: 'segment',
              in: 'query',
              description: 'a segment id; absent: all feedback',
              schema: { type: 'string' },
            },
            ...rangeParameters,
          ],
          responses: {
            '200': json(ref('Drivers')),
            '404': problem('Unknown segment'),
            ...common,
          },
        },
      },
      '/v1/verbatims': {
        get: {
          summary:
            'The newest redacted comments of a scope, newest first; each scope (segment × aspect × label) keeps its newest VERBATIMS_PER_SCOPE (default 200)',
          parameters: [
            {
              name: 'segment',
              in: 'query',
              description: 'a segment id; absent: all feedback',
              schema: { type: 'string' },
            },
            {
              name: 'aspect',
              in: 'query',
              description: 'comments that mention this aspect',
              schema: { type: 'string' },
            },
            {
              name: 'label',
              in: 'query',
              description: "the aspect's label when `aspect` is given, else the comment's sentiment label",
              schema: { enum: ['negative', 'neutral', 'positive'] },
            },
            {
              name: 'language',
              in: 'query',
              description:
                "language of the comment (`zh` also matches `zh-Hant`); filters within the scope's bounded list",
              schema: { type: 'string' },
            },
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            },
            {
              name: 'cursor',
              in: 'query',
              description: '`nextCursor` of the previous page',
              schema: { type: 'string' },
            },
          ],
          responses: {
            '200': json({
              type: 'object',
              properties: {
                segment: { type: ['string', 'null'] },
                aspect: { type: ['string', 'null'] },
                label: { type: ['string', 'null'] },
                language: { type: ['string', 'null'] },
                items: { type: 'array', items: ref('Verbatim') },
                nextCursor: { type: ['string', 'null'], description: 'null on the last page' },
              },
            }),
            '404': problem('Unknown segment'),
            ...common,
          },
        },
      },
      '/v1/alerts': {
        get: {
          summary: 'Recent alerts, newest first, optionally of one customer or one segment',
          parameters: [
            { name: 'customer', in: 'query', schema: { type: 'string' } },
            { name: 'segment', in: 'query', schema: { type: 'string' } },
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 200, default: 20 },
            },
          ],
          responses: {
            '200': json({
              type: 'object',
              properties: { alerts: { type: 'array', items: { type: 'object' } } },
            }),
            ...common,
          },
        },
      },
      '/v1/segments': {
        get: {
          summary: 'Every segment with its all-time metrics',
          responses: {
            '200': json({
              type: 'object',
              properties: { segments: { type: 'array', items: ref('SegmentMetrics') } },
            }),
            ...common,
          },
        },
      },
      '/v1/segments/{segmentId}': {
        get: {
          summary: 'Totals and a time series of one segment',
          parameters: [
            { name: 'segmentId', in: 'path', required: true, schema: { type: 'string' } },
            ...rangeParameters,
          ],
          responses: {
            '200': json({
              allOf: [ref('Series'), { type: 'object', properties: { segmentId: { type: 'string' } } }],
            }),
            '404': problem('Unknown segment'),
            ...common,
          },
        },
      },
      '/v1/customers/{customerId}': {
        get: {
          summary: "A customer's profile, totals, time series and latest feedback",
          parameters: [
            { name: 'customerId', in: 'path', required: true, schema: { type: 'string' } },
            ...rangeParameters,
          ],
          responses: {
            '200': json({
              allOf: [
                ref('Series'),
                {
                  type: 'object',
                  properties: {
                    customerId: { type: 'string' },
                    profile: { type: ['object', 'null'] },
                    latestFeedback: { type: 'array', items: { type: 'object' } },
                  },
                },
              ],
            }),
            '404': problem('Unknown customer'),
            ...common,
          },
        },
      },
      '/v1/feeds': {
        get: {
          summary: 'The rollup feed files in S3 for a date range, with presigned download URLs',
          parameters: [
            {
              name: 'from',
              in: 'query',
              schema: { type: 'string', format: 'date' },
              description: 'default 6 days before `to`',
            },
            {
              name: 'to',
              in: 'query',
              schema: { type: 'string', format: 'date' },
              description: 'default today (UTC)',
            },
          ],
          responses: {
            '200': json({
              type: 'object',
              properties: {
                from: { type: 'string', format: 'date' },
                to: { type: 'string', format: 'date' },
                files: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      key: { type: 'string' },
                      date: { type: ['string', 'null'], format: 'date' },
                      format: { type: 'string' },
                      size: { type: 'integer' },
                      lastModified: { type: ['string', 'null'], format: 'date-time' },
                      url: { type: 'string', format: 'uri' },
                      expiresAt: { type: 'string', format: 'date-time' },
                    },
                  },
                },
              },
            }),
            ...common,
          },
        },
      },
      '/healthz': {
        get: { security: [], summary: 'Liveness', responses: { '200': { description: 'alive' } } },
      },
      '/readyz': {
        get: {
          security: [],
          summary: 'Readiness (Redis answers)',
          responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } },
        },
      },
      '/metrics': {
        get: {
          security: [],
          summary: 'Prometheus metrics',
          responses: { '200': { description: 'metrics' } },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'a key with the read scope: one of QUERY_API_KEYS, QUERY_API_KEYS_PII (contact details too) or the deprecated API_KEYS',
        },
      },
      schemas: {
        Counters,
        Metrics,
        Measured,
        Series,
        Problem,
        Drivers: {
          type: 'object',
          properties: {
            segment: { type: ['string', 'null'] },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time', description: 'exclusive' },
            granularity: { enum: ['hour', 'day'] },
            items: { type: 'integer', description: 'feedback items in the scope and range' },
            analysed: {
              type: 'integer',
              description: "items whose text was scored for sentiment: the share's denominator",
            },
            nps: { ...num, description: 'NPS of the scope' },
            drivers: {
              type: 'array',
              description:
                'most negative impact first; aspects without a gap last; ties by mentions, then name',
              items: {
                type: 'object',
                properties: {
                  aspect: { type: 'string' },
                  mentions: { type: 'integer' },
                  share: { type: 'number', description: 'mentions / analysed, 0…1' },
                  sentimentMean: { type: 'number', description: 'mean aspect score, −1…1' },
                  labels: {
                    type: 'object',
                    properties: {
                      negative: { type: 'integer' },
                      neutral: { type: 'integer' },
                      positive: { type: 'integer' },
                    },
                  },
                  npsAnswers: {
                    type: 'object',
                    properties: {
                      promoters: { type: 'integer' },
                      passives: { type: 'integer' },
                      detractors: { type: 'integer' },
                    },
                  },
                  nps: { ...num, description: 'NPS of the items that mention the aspect' },
                  npsGap: { ...num, description: "nps − the scope's NPS" },
                  impact: { ...num, description: 'share × npsGap' },
                },
              },
            },
          },
        },
        Verbatim: {
          type: 'object',
          description:
            'A comment as stored: PII-redacted text (at most 2000 characters), never contact details.',
          properties: {
            feedbackId: { type: 'string' },
            version: { type: 'integer' },
            text: { type: 'string' },
            occurredAt: { type: 'string', format: 'date-time' },
            source: { type: 'string' },
            channel: { type: 'string' },
            kind: { type: 'string' },
            customerId: { type: 'string', description: 'the customer id, or `unknown`' },
            language: { type: 'string' },
            nps: { type: 'integer' },
            csat: { type: 'number' },
            ces: { type: 'number' },
            sentimentScore: { type: 'number' },
            sentimentLabel: { enum: ['negative', 'neutral', 'positive'] },
            aspects: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  aspect: { type: 'string' },
                  score: { type: 'number' },
                  label: { enum: ['negative', 'neutral', 'positive'] },
                },
              },
            },
          },
          required: ['feedbackId', 'version', 'text', 'occurredAt', 'source', 'customerId'],
        },
        SegmentMetrics: {
          allOf: [ref('Measured'), { type: 'object', properties: { segmentId: { type: 'string' } } }],
        },
      },
    },
  };
}
