/**
 * Tells the order workloads when the quote-to-order flow of an accepted quote has made its order.
 * The flow runs in the background after `accept` answers 202; instead of every client polling the
 * flow's status over HTTP (which would load the devhost with requests no user makes that often),
 * one connection of the benchmark looks every 10 ms for the orders of all flows in progress. A
 * flow that ends without an order fails the run.
 */
import pg from 'pg';
import { sleep } from './stats.js';

interface Waiter {
  resolve: (orderId: string) => void;
  reject: (error: Error) => void;
}

export class FlowWatcher {
  readonly #client: pg.Client;
  readonly #waiting = new Map<string, Waiter>();
  #running = true;
  #loop: Promise<void>;
  polls = 0;

  private constructor(client: pg.Client) {
    this.#client = client;
    this.#loop = this.#run();
  }

  static async start(url: string): Promise<FlowWatcher> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return new FlowWatcher(client);
  }

  /** Resolves with the order id once the flow's order is committed. */
  order(instanceId: string): Promise<string> {
    return new Promise((resolve, reject) => this.#waiting.set(instanceId, { resolve, reject }));
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const ids = [...this.#waiting.keys()];
      if (ids.length > 0) {
        this.polls++;
        const { rows } = await this.#client.query<{
          id: string;
          order_id: string | null;
          status: string | null;
          output: string | null;
        }>(
          `select f.id, o.id as order_id, i.runtime_status as status, i.output
             from unnest($1::text[]) as f(id)
             left join sales_orders o on o.flow_instance_id = f.id
             left join devhost.durable_instances i on i.instance_id = f.id`,
          [ids],
        );
        for (const row of rows) {
          const waiter = this.#waiting.get(row.id);
          if (!waiter) continue;
          if (row.order_id) {
            this.#waiting.delete(row.id);
            waiter.resolve(row.order_id);
          } else if (row.status && ['Completed', 'Failed', 'Terminated'].includes(row.status)) {
            this.#waiting.delete(row.id);
            waiter.reject(
              new Error(`flow ${row.id} ended ${row.status} without an order: ${row.output?.slice(0, 300)}`),
            );
          }
        }
      }
      await sleep(10);
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
    await this.#client.end();
  }
}
