import { DefaultAzureCredential } from '@azure/identity';
import { ServiceBusClient, type ServiceBusSender } from '@azure/service-bus';
import type { EventPublisher, OutgoingMessage } from './publisher.js';

/** Publishes to Azure Service Bus with the app's managed identity (no connection string, no keys). */
export class ServiceBusPublisher implements EventPublisher {
  readonly #client: ServiceBusClient;
  readonly #senders = new Map<string, ServiceBusSender>();

  constructor(fullyQualifiedNamespace: string) {
    this.#client = new ServiceBusClient(fullyQualifiedNamespace, new DefaultAzureCredential(), {
      retryOptions: { maxRetries: 5, retryDelayInMs: 500, maxRetryDelayInMs: 10_000, timeoutInMs: 30_000 },
    });
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    let sender = this.#senders.get(topic);
    if (!sender) {
      sender = this.#client.createSender(topic);
      this.#senders.set(topic, sender);
    }
    let batch = await sender.createMessageBatch();
    for (const message of messages) {
      if (!batch.tryAddMessage(message)) {
        await sender.sendMessages(batch);
        batch = await sender.createMessageBatch();
        if (!batch.tryAddMessage(message))
          throw new Error(`Event ${message.messageId} is too large for a Service Bus message.`);
      }
    }
    if (batch.count > 0) await sender.sendMessages(batch);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#senders.values()].map((sender) => sender.close()));
    await this.#client.close();
  }
}
