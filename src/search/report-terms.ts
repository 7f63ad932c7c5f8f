import { reportIndexText } from './report-text.ts';
import { visitIndexTerms } from './tokenize.ts';

/** A report's distinct index terms and how often each occurs (parallel lists). */
export interface ReportTerms {
  names: string[];
  counts: number[];
}

/**
 * The terms a report file's markdown is indexed under, counted: the same on a worker thread or not.
 * Names in order of first occurrence. One map lookup per term occurrence (its slot in the
 * parallel lists), counted as jieba's words come, with no list of every occurrence in between.
 */
export function reportTerms(markdown: string): ReportTerms {
  const slots = new Map<string, number>();
  const names: string[] = [];
  const counts: number[] = [];
  visitIndexTerms(reportIndexText(markdown), (term) => {
    const slot = slots.get(term);
    if (slot === undefined) {
      slots.set(term, names.length);
      names.push(term);
      counts.push(1);
    } else {
      counts[slot]! += 1;
    }
  });
  return { names, counts };
}

/** Calls `visit` with each term a report file's markdown is indexed under, repeats included, in order. */
export function visitReportTerms(markdown: string, visit: (term: string) => void): void {
  visitIndexTerms(reportIndexText(markdown), visit);
}
