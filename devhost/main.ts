/**
 * `npm start`: the whole ERP on this machine, with the same function registrations Azure runs.
 * The functions-core stand-in must be in place before anything loads `@azure/functions`, so the
 * rest of the devhost is imported after it.
 */
import { installFunctionsCore } from './functions-core.js';

installFunctionsCore();
const { startDevhost } = await import('./devhost.js');

const started = performance.now();
const devhost = await startDevhost();
const functions = [...devhost.host.functions.values()];
const count = (type: string) =>
  functions.filter((fn) => fn.trigger.type.toLowerCase() === type.toLowerCase()).length;
console.log(`
Tessera ERP is running at ${devhost.url}  (started in ${Math.round(performance.now() - started)} ms)

  API            ${devhost.url}/api/v1/...      OpenAPI: ${devhost.url}/api/openapi.json
  Health         ${devhost.url}/api/health
  Dev sign-in    POST ${devhost.url}/api/dev/token  {"tenant":"demo","user":"alice","roles":["Admin"]}
  Database       ${devhost.databaseDescription}
  Functions      ${count('httpTrigger')} HTTP, ${count('serviceBusTrigger')} Service Bus, ${count('timerTrigger')} timer, ${count('orchestrationTrigger')} orchestrations, ${count('activityTrigger')} activities
  Tenants        demo (ZAR, en-ZA), acme (EUR)
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log('Stopping…');
    devhost.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
