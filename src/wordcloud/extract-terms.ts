import type { Report } from '../report/types.ts';
import { reportPlainText } from './report-plain-text.ts';
import { segmentTerms } from './segment-terms.ts';
import { STOP_WORDS } from './stop-words.ts';

/** A cloud term and its weight (weighted frequency; larger is drawn bigger). */
export interface WeightedTerm {
  text: string;
  weight: number;
}

/**
 * Extra weight per occurrence in the parts of the report that say what matters most: the
 * headline and the core points' titles and details (already counted once in the full text).
 */
const HEADLINE_BONUS = 3;
const POINT_TITLE_BONUS = 2;
const POINT_DETAIL_BONUS = 1;
/**
 * Terms every report of an AI digest is full of: kept, but damped, so the cloud is not one giant
 * `AI` with the day's actual topics around it in small print.
 */
const DAMPED_TERMS: ReadonlyMap<string, number> = new Map([
  ['ai', 0.3],
  ['人工智能', 0.4],
]);
/** Bare numbers, ranges, percentages and parameter counts (`2026`, `24-48`, `50%`, `519B`). */
const NUMBER_LIKE = /^[\d.,\-+_%]+[kmbt]?\+?$/;

/**
 * The report's terms by weight, heaviest first: frequency over the whole markdown text, with the
 * headline and core points counting more; stop words, bare numbers and single characters out.
 * Deterministic: ties break by text.
 */
export function extractTerms(report: Report, markdown: string, limit = 80): WeightedTerm[] {
  const weights = new Map<string, number>();
  const spellings = new Map<string, Map<string, number>>();
  const add = (text: string, amount: number): void => {
    for (const term of segmentTerms(text)) {
      const display = term.text.trim();
      const key = display.toLowerCase();
      if (!isCloudTerm(key, term.han)) continue;
      weights.set(key, (weights.get(key) ?? 0) + amount);
      const forms = spellings.get(key) ?? new Map<string, number>();
      forms.set(display, (forms.get(display) ?? 0) + 1);
      spellings.set(key, forms);
    }
  };

  add(reportPlainText(markdown), 1);
  add(report.headline, HEADLINE_BONUS);
  for (const point of report.points) {
    add(point.title, POINT_TITLE_BONUS);
    if (point.detail) add(point.detail, POINT_DETAIL_BONUS);
  }

  const terms: WeightedTerm[] = [];
  for (const [key, weight] of weights) {
    terms.push({ text: preferredSpelling(spellings.get(key)) ?? key, weight: weight * (DAMPED_TERMS.get(key) ?? 1) });
  }
  terms.sort((a, b) => b.weight - a.weight || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  return terms.slice(0, Math.max(0, limit));
}

function isCloudTerm(key: string, han: boolean): boolean {
  if (STOP_WORDS.has(key)) return false;
  if (han) return [...key].length >= 2;
  // English: at least two characters and not just a number, a date or a percentage.
  return key.length >= 2 && !NUMBER_LIKE.test(key);
}

/** The spelling seen most often (`OpenAI` over `openai`); ties go to the first in code order. */
function preferredSpelling(forms: Map<string, number> | undefined): string | undefined {
  if (!forms) return undefined;
  let best: string | undefined;
  let bestCount = -1;
  for (const [form, count] of [...forms].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (count > bestCount) {
      best = form;
      bestCount = count;
    }
  }
  return best;
}
