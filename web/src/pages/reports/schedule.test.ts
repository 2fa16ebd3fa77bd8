import { describe, expect, it } from 'vitest';
import { scheduleFixture } from './fixtures';
import { presetOf, scheduleDraft, schedulePatch, scheduleShape } from './schedule';

describe('schedule expressions', () => {
  it('reads the common shapes, with or without seconds', () => {
    expect(scheduleShape('0 0 6 * * *')).toEqual({ kind: 'daily', hour: 6, minute: 0 });
    expect(scheduleShape('30 7 * * 1')).toEqual({ kind: 'weekly', weekday: 1, hour: 7, minute: 30 });
    expect(scheduleShape('0 0 6 * * 1-5')).toEqual({ kind: 'weekdays', hour: 6, minute: 0 });
    expect(scheduleShape('0  0 6 1 * *')).toEqual({ kind: 'monthly', day: 1, hour: 6, minute: 0 });
    expect(scheduleShape('0 15 * * * *')).toEqual({ kind: 'hourly', minute: 15 });
    expect(scheduleShape('0 0 6 1 1 *')).toEqual({ kind: 'custom' });
    expect(scheduleShape('0 */5 * * * *')).toEqual({ kind: 'custom' });
    expect(scheduleShape('0 0 25 * * *')).toEqual({ kind: 'custom' });
    expect(presetOf(' 0 0 7 * * 1 ')).toBe('monday');
    expect(presetOf('0 0 8 * * 1')).toBe('custom');
  });

  it('sends only what changed, so recipients chosen by someone else are not sent again', () => {
    const schedule = scheduleFixture();
    const draft = { ...scheduleDraft(schedule), name: 'Trial balance for the board' };
    expect(schedulePatch(schedule, draft)).toEqual({ name: 'Trial balance for the board' });
    expect(schedulePatch(schedule, scheduleDraft(schedule))).toEqual({});
  });
});
