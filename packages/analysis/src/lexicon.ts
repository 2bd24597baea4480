import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { HashIndex, hashPhrase } from './hash-table.ts';
import {
  loadNtusd,
  ZH_ALTHOUGH_WORDS,
  ZH_ASPECT_TERMS,
  ZH_BUT_WORDS,
  ZH_DOMAIN_VALENCES,
  ZH_MODIFIERS,
  ZH_NEGATORS,
} from './zh-lexicon.ts';
import { loadZhScript, type ZhScript } from './zh-script.ts';

/**
 * The word knowledge of the analyzer, compiled once into typed arrays behind a hash index:
 * AFINN-165 valences (from the `sentiment` package), a customer-feedback lexicon on top, negators,
 * intensifiers and diminishers, contrast words, two-word phrases, aspect terms, and the stopwords that
 * tell languages apart.
 */

export const FLAG_NEGATOR = 1;
export const FLAG_MODIFIER = 2;
export const FLAG_BUT = 4;
export const FLAG_ALTHOUGH = 8;
export const FLAG_CANCEL_NEGATION = 16;
export const FLAG_POLAR = 32;
export const FLAG_ENGLISH = 64;

export const ASPECTS = [
  'price',
  'quality',
  'service',
  'delivery',
  'usability',
  'reliability',
  'onboarding',
] as const;
export type Aspect = (typeof ASPECTS)[number];

/** Languages told apart by stopwords; index = bit in the language mask. */
export const LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl'] as const;

/** Customer-feedback vocabulary the AFINN list lacks or weighs differently (valence −5…5). */
// biome-ignore format: a word table reads best packed
export const DOMAIN_VALENCES: Readonly<Record<string, number>> = {
  // what breaks
  broken: -3, broke: -3, breaks: -2, defective: -3, faulty: -3, damaged: -3, cracked: -2, crack: -1,
  crashed: -3, crashes: -3, crashing: -3, crash: -3, freezes: -2, froze: -2, frozen: -1, freezing: -1,
  buggy: -3, bug: -2, bugs: -2, glitch: -2, glitches: -2, glitchy: -3, laggy: -2, lag: -2, lags: -2,
  unresponsive: -3, unstable: -2, unreliable: -3, unusable: -3, useless: -3, junk: -3, garbage: -3,
  flimsy: -2, leaks: -2, leaking: -2, malfunction: -3, malfunctions: -3, malfunctioning: -3,
  disconnects: -2, disconnected: -2, disconnecting: -2, dropped: -1, drops: -1, error: -1, errors: -2,
  fails: -2, failed: -2, failing: -2, failure: -2, dies: -2, died: -2, dead: -2, outage: -3, downtime: -2,
  overheats: -2, overheating: -2, static: -1, noisy: -1, scratched: -2, scratches: -1, wobbly: -1,
  // what is late or missing
  late: -2, delayed: -2, delay: -2, delays: -2, slow: -2, slower: -2, slowly: -1, sluggish: -2,
  missing: -2, lost: -2, never: 0, wait: -1, waited: -2, waiting: -1,
  // money and cancelling
  refund: -2, refunded: -1, cancel: -2, cancelled: -2, canceled: -2, cancelling: -2, cancellation: -1,
  overpriced: -3, overcharged: -3, expensive: -1, pricey: -1, ripoff: -3, scam: -3, waste: -3,
  wasted: -3, wasting: -3, returned: -2, returning: -1,
  affordable: 2, inexpensive: 1, bargain: 2, worth: 2, value: 1,
  // service
  rude: -3, unhelpful: -3, ignored: -2, incompetent: -3, unprofessional: -3, attentive: 2, courteous: 2,
  responsive: 2, knowledgeable: 2, prompt: 2, promptly: 2, professional: 2, polite: 2, friendly: 2,
  // usability and quality
  confusing: -2, confused: -2, clunky: -2, complicated: -2, cumbersome: -2, tedious: -2, annoying: -2,
  intuitive: 2, seamless: 2, seamlessly: 2, smooth: 2, smoothly: 2, easy: 2, easier: 1, effortless: 2,
  reliable: 2, sturdy: 2, durable: 2, solid: 2, comfortable: 2, fast: 2, quick: 2, quickly: 1,
  crisp: 2, clear: 1, loud: 1, work: 1, works: 1, worked: 1, working: 1, flawless: 3, flawlessly: 3, perfectly: 3,
  recommended: 2, recommend: 2, impressed: 3, impressive: 3, pleased: 3, happy: 3, unhappy: -2,
  mediocre: -2, subpar: -2, meh: -1, bland: -2, tasteless: -2, stale: -2, soggy: -2, overcooked: -2,
  undercooked: -2, greasy: -1, cold: -1, burnt: -2, dirty: -2, filthy: -3, gross: -3, tasty: 3,
  delicious: 3, fresh: 2, yummy: 3, cheaply: -2, poorly: -2, worse: -3, worst: -4, horrible: -4,
  terrible: -4, awful: -4, disappointment: -3, disappointing: -3, disappointed: -3, avoid: -2,
  regret: -3, return: -1, kind: 1, like: 1, fine: 1, ok: 0, okay: 0, pretty: 0, well: 1, no: 0,
  lol: 1, xd: 2, yay: 2, wow: 2, sucked: -3, stinks: -3, crap: -3, crappy: -3, lacking: -2, lacks: -2,
  lame: -2, boring: -3, bored: -2, dull: -2, pointless: -3, unwatchable: -4, awesome: 4, excellent: 4,
  amazing: 4, fantastic: 4, outstanding: 4, superb: 4, perfect: 4, beautiful: 3, brilliant: 4,
  stopped: -1, hold: 0,
};

/** Two-word phrases with a valence of their own (the words' own valences are then not counted). */
export const PHRASE_VALENCES: Readonly<Record<string, number>> = {
  'on hold': -2,
  'never again': -3,
  'no longer': 0,
  'waste of': -3,
  'rip off': -3,
  'fell apart': -3,
  'falls apart': -3,
  'falling apart': -3,
  'stopped working': -3,
  'stops working': -3,
  'quit working': -3,
  'not working': -3,
  'went back': 1,
  'go back': 1,
  'come back': 1,
  'coming back': 1,
  'user friendly': 2,
  'well made': 2,
  'poorly made': -3,
  'cheaply made': -3,
  'must have': 2,
  'high quality': 2,
  'low quality': -2,
  'poor quality': -3,
  'top notch': 3,
  'five stars': 3,
  'one star': -3,
  'thumbs up': 2,
  'thumbs down': -2,
  'at all': 0,
  'too long': -2,
  'too much': -1,
  'customer service': 0,
  'works great': 3,
  'works well': 3,
  'works fine': 2,
  'no problems': 2,
  'no problem': 1,
  'no issues': 2,
  'no complaints': 2,
  'piece of': -1,
  'no refund': -3,
  'no response': -2,
  'no reply': -2,
  'no answer': -2,
  'no help': -2,
  'never arrived': -3,
  'never received': -3,
  'never came': -2,
  'never showed': -2,
};

// biome-ignore format: a word table reads best packed
export const NEGATORS: readonly string[] = [
  'not', 'no', 'never', 'none', 'nobody', 'nothing', 'neither', 'nor', 'nowhere', 'without', 'cannot',
  "can't", "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "won't", "wouldn't",
  "shouldn't", "couldn't", "haven't", "hasn't", "hadn't", "ain't", "mustn't", 'dont', 'doesnt', 'didnt',
  'isnt', 'arent', 'wasnt', 'werent', 'wont', 'wouldnt', 'shouldnt', 'couldnt', 'havent', 'hasnt',
  'hadnt', 'cant', 'aint', 'hardly', 'barely', 'lack', 'no longer',
];

/** Words that strengthen (>1) or soften (<1) the next sentiment word. */
// biome-ignore format: a word table reads best packed
export const MODIFIERS: Readonly<Record<string, number>> = {
  very: 1.5, really: 1.4, extremely: 1.8, so: 1.3, too: 1.3, absolutely: 1.7, totally: 1.5,
  incredibly: 1.7, super: 1.5, highly: 1.6, most: 1.3, completely: 1.6, utterly: 1.8, truly: 1.5,
  especially: 1.3, exceptionally: 1.7, remarkably: 1.5, seriously: 1.4, definitely: 1.4, simply: 1.2,
  particularly: 1.3, thoroughly: 1.5, insanely: 1.7, ridiculously: 1.6, terribly: 1.6, awfully: 1.5,
  such: 1.3, quite: 1.1, much: 1.2, way: 1.3, ever: 1.3, all: 1.1,
  slightly: 0.5, somewhat: 0.6, 'a bit': 0.5, 'a little': 0.5, 'kind of': 0.6, 'sort of': 0.6,
  kinda: 0.6, sorta: 0.6, fairly: 0.7, mildly: 0.5, marginally: 0.5, partly: 0.6, moderately: 0.7,
  reasonably: 0.8, almost: 0.6, nearly: 0.6, rather: 0.8, pretty: 1.1,
};

/** Contrast: what follows these words outweighs what came before. */
export const BUT_WORDS: readonly string[] = [
  'but',
  'however',
  'nevertheless',
  'nonetheless',
  'yet',
  'except',
];
/** Concession: the clause these words open weighs less than the main clause. */
export const ALTHOUGH_WORDS: readonly string[] = ['although', 'though', 'even though', 'despite', 'while'];

// biome-ignore format: a word table reads best packed
export const ASPECT_TERMS: Readonly<Record<Aspect, readonly string[]>> = {
  price: [
    'price', 'prices', 'pricing', 'priced', 'cost', 'costs', 'costly', 'expensive', 'cheap', 'cheaper',
    'overpriced', 'affordable', 'inexpensive', 'pricey', 'value', 'money', 'worth', 'fee', 'fees',
    'subscription', 'bill', 'billing', 'billed', 'invoice', 'discount', 'deal', 'bargain', 'overcharged',
    'charged', 'charge', 'plan', 'ripoff', 'rip off', 'dollars', 'bucks',
  ],
  quality: [
    'quality', 'build', 'built', 'material', 'materials', 'made', 'sturdy', 'durable', 'flimsy', 'broke',
    'broken', 'defective', 'faulty', 'cheaply', 'construction', 'craftsmanship', 'design', 'product',
    'item', 'sound', 'screen', 'battery', 'food', 'taste', 'tasty', 'flavor', 'flavour', 'fresh', 'damaged',
    'well made', 'poorly made', 'cheaply made', 'fell apart', 'falls apart', 'high quality', 'low quality',
  ],
  service: [
    'service', 'support', 'staff', 'agent', 'agents', 'rep', 'representative', 'waiter', 'waitress',
    'server', 'servers', 'manager', 'helpdesk', 'help desk', 'rude', 'friendly', 'helpful', 'unhelpful',
    'attentive', 'ticket', 'refund', 'refunded', 'response', 'responded', 'reply', 'replied', 'called',
    'chat', 'on hold', 'customer service', 'courteous', 'professional', 'unprofessional', 'hostess',
  ],
  delivery: [
    'delivery', 'delivered', 'deliver', 'shipping', 'shipped', 'ship', 'shipment', 'arrived', 'arrive',
    'arrival', 'package', 'packaging', 'packaged', 'courier', 'tracking', 'dispatch', 'dispatched',
    'parcel', 'late', 'delayed', 'transit', 'postage', 'shipment',
  ],
  usability: [
    'easy', 'easier', 'difficult', 'intuitive', 'confusing', 'interface', 'ui', 'ux', 'usable',
    'unusable', 'usability', 'user friendly', 'navigate', 'navigation', 'clunky', 'simple', 'complicated',
    'cumbersome', 'menu', 'menus', 'layout', 'controls', 'buttons', 'button', 'comfortable', 'fits',
  ],
  reliability: [
    'bug', 'bugs', 'buggy', 'crash', 'crashes', 'crashed', 'crashing', 'freeze', 'freezes', 'froze',
    'error', 'errors', 'glitch', 'glitches', 'glitchy', 'reliable', 'unreliable', 'stable', 'unstable',
    'outage', 'downtime', 'works', 'working', 'worked', 'stopped working', 'fails', 'failed', 'failure',
    'lag', 'laggy', 'disconnects', 'disconnected', 'dropped', 'drops', 'reboot', 'restart', 'dies',
    'died', 'malfunction', 'not working', 'quit working',
  ],
  onboarding: [
    'onboarding', 'documentation', 'docs', 'manual', 'instructions', 'instruction', 'tutorial',
    'tutorials', 'guide', 'guides', 'setup', 'set up', 'install', 'installation', 'installed', 'examples',
    'faq', 'walkthrough', 'training', 'getting started', 'getting', 'learning curve', 'documented',
  ],
};

/** Words frequent in one language and rare in the others (plus a few common feedback words). */
// biome-ignore format: a word table reads best packed
export const STOPWORDS: Readonly<Record<(typeof LANGUAGES)[number], readonly string[]>> = {
  en: [
    'the', 'and', 'is', 'are', 'was', 'were', 'it', 'this', 'that', 'with', 'for', 'not', 'you', 'i', 'my',
    'of', 'to', 'have', 'has', 'they', 'be', 'very', 'would', 'will', 'what', 'just', 'at', 'its', "it's",
    'your', 'we', 'our', 'from', 'been', 'had', 'but', 'or', 'if', 'all', 'can', 'on', 'an', 'me', 'so',
    'did', 'does', "don't", 'there', 'good', 'great', 'bad', 'love', 'thanks', 'product', 'service',
  ],
  de: [
    'der', 'die', 'das', 'und', 'ist', 'nicht', 'ich', 'ein', 'eine', 'sehr', 'mit', 'auf', 'es', 'sie',
    'zu', 'den', 'dem', 'auch', 'war', 'wie', 'aber', 'oder', 'für', 'wir', 'kein', 'keine', 'noch', 'bei',
    'nur', 'schon', 'mein', 'hat', 'haben', 'sind', 'gut', 'schlecht', 'danke', 'wurde', 'leider', 'ganz',
    'immer', 'mir', 'mich', 'dass', 'ware', 'lieferung', 'was',
  ],
  fr: [
    'le', 'la', 'les', 'et', 'est', 'une', 'des', 'du', 'je', 'pas', 'que', 'qui', 'pour', 'dans', 'très',
    'avec', 'ce', 'cette', 'mais', 'sur', 'il', 'elle', 'nous', 'vous', 'au', 'aux', 'été', "c'est",
    "n'est", "j'ai", 'bien', 'bon', 'mauvais', 'nul', 'merci', 'produit', 'était', 'trop', 'livraison',
  ],
  es: [
    'el', 'los', 'las', 'y', 'es', 'una', 'del', 'que', 'muy', 'pero', 'por', 'para', 'con', 'no', 'lo',
    'se', 'mi', 'su', 'está', 'fue', 'todo', 'más', 'como', 'hay', 'yo', 'bueno', 'malo', 'gracias',
    'producto', 'servicio', 'nada', 'llegó', 'esta', 'este', 'pésimo', 'excelente',
  ],
  it: [
    'il', 'lo', 'gli', 'della', 'di', 'che', 'è', 'e', 'non', 'un', 'una', 'sono', 'per', 'con', 'molto',
    'ma', 'questo', 'questa', 'anche', 'del', 'nel', 'ho', 'mi', 'più', 'ci', 'buono', 'bene', 'grazie',
    'ottimo', 'prodotto', 'servizio', 'stato', 'arrivato', 'pessimo',
  ],
  pt: [
    'o', 'os', 'as', 'um', 'uma', 'não', 'é', 'de', 'do', 'da', 'dos', 'das', 'em', 'que', 'muito', 'mas',
    'com', 'para', 'por', 'eu', 'você', 'está', 'foi', 'isso', 'ele', 'ela', 'meu', 'minha', 'bom', 'ruim',
    'obrigado', 'ótimo', 'produto', 'serviço', 'chegou', 'péssimo', 'entrega',
  ],
  nl: [
    'de', 'het', 'een', 'en', 'niet', 'van', 'ik', 'dat', 'die', 'op', 'te', 'zijn', 'met', 'voor', 'maar',
    'ook', 'heel', 'erg', 'wel', 'geen', 'wij', 'naar', 'nog', 'dit', 'er', 'goed', 'slecht', 'bedankt',
    'bezorging', 'werkt', 'zeer', 'mijn', 'niks', 'is', 'was',
  ],
};

export interface Lexicon {
  index: HashIndex;
  /** Per entry: valence (0 when the entry carries no sentiment). */
  valence: Float64Array;
  /** Per entry: FLAG_* bits. */
  flags: Int32Array;
  /** Per entry: multiplier of a modifier. */
  multiplier: Float64Array;
  /** Per entry: bit i = mentions ASPECTS[i]. */
  aspects: Int32Array;
  /** Per entry: bit i = stopword of LANGUAGES[i]. */
  languages: Int32Array;
  /** Emoji code point → valence. */
  emoji: Map<number, number>;
  /** Traditional → Simplified Chinese, and which script a character belongs to. */
  script: ZhScript;
}

interface Draft {
  valence: number;
  flags: number;
  multiplier: number;
  aspects: number;
  languages: number;
}

function loadAfinn(): Record<string, number> {
  const require = createRequire(import.meta.url);
  const path = require.resolve('sentiment/languages/en/labels.json');
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>;
}

function loadEmoji(): Map<number, number> {
  const require = createRequire(import.meta.url);
  const path = require.resolve('sentiment/build/emoji.json');
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>;
  const map = new Map<number, number>();
  for (const [key, value] of Object.entries(raw)) {
    const cp = key.codePointAt(0);
    if (cp !== undefined && cp > 0xff && !map.has(cp)) map.set(cp, value);
  }
  return map;
}

export function buildLexicon(): Lexicon {
  const drafts = new Map<string, Draft>();
  const entry = (term: string): Draft => {
    const key = term.toLowerCase().replace(/['’‘`]/g, '');
    let d = drafts.get(key);
    if (d === undefined) {
      d = { valence: 0, flags: 0, multiplier: 1, aspects: 0, languages: 0 };
      drafts.set(key, d);
    }
    return d;
  };
  for (const [word, v] of Object.entries(loadAfinn())) {
    // Multi-word AFINN entries ("cool stuff") never match a single token; skip them.
    if (word.includes(' ')) continue;
    entry(word).valence = v;
  }
  for (const [word, v] of Object.entries(DOMAIN_VALENCES)) entry(word).valence = v;
  for (const [phrase, v] of Object.entries(PHRASE_VALENCES)) entry(phrase).valence = v;
  for (const word of NEGATORS) {
    const d = entry(word);
    d.flags |= FLAG_NEGATOR;
    d.valence = 0;
  }
  entry('not only').flags |= FLAG_CANCEL_NEGATION;
  entry('no doubt').flags |= FLAG_CANCEL_NEGATION;
  entry('not just').flags |= FLAG_CANCEL_NEGATION;
  for (const [word, m] of Object.entries(MODIFIERS)) {
    const d = entry(word);
    d.flags |= FLAG_MODIFIER;
    d.multiplier = m;
  }
  for (const word of BUT_WORDS) entry(word).flags |= FLAG_BUT;
  for (const word of ALTHOUGH_WORDS) entry(word).flags |= FLAG_ALTHOUGH;
  ASPECTS.forEach((aspect, bit) => {
    for (const term of ASPECT_TERMS[aspect]) entry(term).aspects |= 1 << bit;
  });
  // Chinese (Simplified script): NTUSD first, the feedback dictionary and the rule words over it
  const script = loadZhScript();
  for (const [word, v] of loadNtusd(script)) entry(word).valence = v;
  for (const [word, v] of Object.entries(ZH_DOMAIN_VALENCES)) entry(word).valence = v;
  for (const word of ZH_NEGATORS) {
    const d = entry(word);
    d.flags |= FLAG_NEGATOR;
    d.valence = 0;
  }
  for (const [word, m] of Object.entries(ZH_MODIFIERS)) {
    const d = entry(word);
    d.flags |= FLAG_MODIFIER;
    d.multiplier = m;
    d.valence = 0;
  }
  for (const word of ZH_BUT_WORDS) {
    const d = entry(word);
    d.flags |= FLAG_BUT;
    d.valence = 0;
  }
  for (const word of ZH_ALTHOUGH_WORDS) {
    const d = entry(word);
    d.flags |= FLAG_ALTHOUGH;
    d.valence = 0;
  }
  ASPECTS.forEach((aspect, bit) => {
    for (const term of ZH_ASPECT_TERMS[aspect]) entry(term).aspects |= 1 << bit;
  });
  LANGUAGES.forEach((lang, bit) => {
    for (const word of STOPWORDS[lang]) {
      const d = entry(word);
      d.languages |= 1 << bit;
      if (lang === 'en') d.flags |= FLAG_ENGLISH;
    }
  });

  const n = drafts.size;
  const lexicon: Lexicon = {
    index: new HashIndex(n),
    valence: new Float64Array(n),
    flags: new Int32Array(n),
    multiplier: new Float64Array(n),
    aspects: new Int32Array(n),
    languages: new Int32Array(n),
    emoji: loadEmoji(),
    script,
  };
  let i = 0;
  for (const [term, d] of drafts) {
    const h = hashPhrase(term);
    lexicon.index.set(h.h1, h.h2, i);
    lexicon.valence[i] = d.valence;
    lexicon.flags[i] = d.flags | (d.valence !== 0 ? FLAG_POLAR : 0);
    lexicon.multiplier[i] = d.multiplier;
    lexicon.aspects[i] = d.aspects;
    lexicon.languages[i] = d.languages;
    i++;
  }
  return lexicon;
}
