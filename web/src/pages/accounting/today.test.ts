import { afterEach, describe, expect, it, vi } from 'vitest';
import { today } from './api';

describe("today's date for a report's defaults", () => {
  afterEach(() => vi.useRealTimers());

  it("is the tenant's day, not the browser's, near midnight", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-12-07T23:30:00Z'));
    expect(today('Africa/Johannesburg')).toBe('2026-12-08');
    expect(today('America/New_York')).toBe('2026-12-07');
    expect(today('UTC')).toBe('2026-12-07');
  });

  it("falls back to the browser's day for an unknown zone", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(2026, 0, 15, 12, 0, 0));
    expect(today('Not/AZone')).toBe('2026-01-15');
    expect(today()).toBe('2026-01-15');
  });
});
