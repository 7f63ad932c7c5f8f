import { reportIndexText } from './report-text.ts';
import { indexTerms } from './tokenize.ts';

/** A report's distinct index terms and how often each occurs (parallel lists). */
export interface ReportTerms {
  names: string[];
  counts: number[];
}

/** The terms a report file's markdown is indexed under, counted: the same on a worker thread or not. */
export function reportTerms(markdown: string): ReportTerms {
  const counts = new Map<string, number>();
  for (const term of indexTerms(reportIndexText(markdown))) counts.set(term, (counts.get(term) ?? 0) + 1);
  return { names: [...counts.keys()], counts: [...counts.values()] };
}
