import { settings } from '../config.js';

/** A message as it goes onto the bus. */
export interface OutgoingMessage {
  messageId: string;
  subject: string;
  body: unknown;
  contentType: 'application/json';
  applicationProperties: Record<string, string | number | boolean>;
}

/** Where the outbox relay sends events: Service Bus in Azure, the devhost's emulation locally. */
export interface EventPublisher {
  publish(topic: string, messages: OutgoingMessage[]): Promise<void>;
  /** Whether the bus answers, for the health endpoint; publishers that cannot tell leave it out. */
  health?(): Promise<boolean>;
  close?(): Promise<void>;
}

let configured: EventPublisher | undefined;

export function configureEventPublisher(publisher: EventPublisher | undefined): void {
  configured = publisher;
}

/**
 * The publisher in use: the configured one, or Service Bus when SERVICEBUS_FQDN is set
 * (identity-based, through DefaultAzureCredential), loaded lazily so that hosts that never
 * publish don't load the AMQP client.
 */
export async function eventPublisher(): Promise<EventPublisher> {
  if (configured) return configured;
  const fqdn = settings().SERVICEBUS_FQDN;
  if (!fqdn) throw new Error('No event publisher: set SERVICEBUS_FQDN or configure one.');
  const { ServiceBusPublisher } = await import('./service-bus-publisher.js');
  configured = new ServiceBusPublisher(fqdn);
  return configured;
}
