import { defineMessages, type MessageDescriptor } from 'react-intl';
import type { StockDocumentKind } from '../../api/types';

/** The URL segment and API resource of each kind of stock document. */
export const documentPaths: Record<StockDocumentKind, string> = {
  receipt: 'receipts',
  transfer: 'transfers',
  adjustment: 'adjustments',
};

export const documentLabels: Record<
  StockDocumentKind,
  {
    title: MessageDescriptor;
    new: MessageDescriptor;
    post: MessageDescriptor;
    empty: MessageDescriptor;
    one: MessageDescriptor;
  }
> = {
  receipt: defineMessages({
    title: { id: 'receipt.list', defaultMessage: 'Goods receipts' },
    new: { id: 'receipt.new', defaultMessage: 'New goods receipt' },
    post: { id: 'receipt.post', defaultMessage: 'Receive the goods' },
    empty: { id: 'receipt.empty', defaultMessage: 'No goods received in this selection.' },
    one: { id: 'receipt.title', defaultMessage: 'Goods receipt {number}' },
  }),
  transfer: defineMessages({
    title: { id: 'transfer.list', defaultMessage: 'Transfers' },
    new: { id: 'transfer.new', defaultMessage: 'New transfer' },
    post: { id: 'transfer.post', defaultMessage: 'Move the stock' },
    empty: { id: 'transfer.empty', defaultMessage: 'No transfers in this selection.' },
    one: { id: 'transfer.title', defaultMessage: 'Transfer {number}' },
  }),
  adjustment: defineMessages({
    title: { id: 'adjustment.list', defaultMessage: 'Adjustments' },
    new: { id: 'adjustment.new', defaultMessage: 'New stock adjustment' },
    post: { id: 'adjustment.post', defaultMessage: 'Adjust the stock' },
    empty: { id: 'adjustment.empty', defaultMessage: 'No adjustments in this selection.' },
    one: { id: 'adjustment.title', defaultMessage: 'Adjustment {number}' },
  }),
};
