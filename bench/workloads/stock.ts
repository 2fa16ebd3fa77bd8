import type { BenchContext } from '../lib/context.js';
export async function stockReports(ctx: BenchContext): Promise<void> {
  ctx.log('stock: todo');
}
