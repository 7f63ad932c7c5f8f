import type { Report } from './types.ts';

/** A report with fewer core points than it announces: still being written, or cut short. */
export interface Incomplete {
  points: number;
  expected: number;
}

/**
 * Whether `report` holds every core point it announces (`核心信息（10个信息点概述）`, or ten when
 * the heading names no number). A report written in two parts with a pause between them passes
 * the settle wait after its first part; this is what keeps that part from going out as the day's
 * digest. Null when complete (or not judged: a report not read from markdown).
 */
export function incompleteness(report: Pick<Report, 'points' | 'expectedPoints'>): Incomplete | null {
  const expected = report.expectedPoints;
  if (expected === undefined || report.points.length >= expected) return null;
  return { points: report.points.length, expected };
}

/** `only 3 of 10 core points`: the words every surface uses. */
export function describeIncomplete(missing: Incomplete): string {
  return `only ${missing.points} of ${missing.expected} core points`;
}
