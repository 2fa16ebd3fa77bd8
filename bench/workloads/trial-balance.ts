import type { BenchContext } from '../lib/context.js';
export async function trialBalance(ctx: BenchContext): Promise<void> {
  ctx.log('tb: todo');
}
