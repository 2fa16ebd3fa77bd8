/** Microsoft Teams: approval cards with Universal Actions, and the bot endpoint Teams calls. */
import './tables.js';

export { activitySchema, type Activity } from './activity.js';
export {
  BotAuthenticationError,
  botAuthenticator,
  createBotAuthenticator,
  resetBotAuthenticator,
} from './bot-auth.js';
export type { BotAuthenticator, BotAuthenticatorOptions } from './bot-auth.js';
export {
  BotConnectorError,
  botConnector,
  configureBotConnectorCredential,
  createBotConnector,
} from './connector.js';
export type { BotConnector, ConversationAddress, OutgoingActivity } from './connector.js';
export {
  formatMoney,
  outcomeCard,
  reasonTexts,
  refusedCard,
  requestCard,
  ADAPTIVE_CARD_CONTENT_TYPE,
} from './cards.js';
export type { AdaptiveCardJson, CardContext } from './cards.js';
export { handleActivity, syncApprovalCards } from './service.js';
export type { BotReply, TeamsDeps } from './service.js';
