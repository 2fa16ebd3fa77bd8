import {
  Badge,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Link,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowDownloadRegular, AttachRegular, DeleteRegular, DismissRegular } from '@fluentui/react-icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { FormattedMessage, defineMessages, useIntl, type IntlShape } from 'react-intl';
import { ApiError } from '../api/client';
import { useApi } from '../api/ApiProvider';
import { documentKeys } from '../api/keys';
import { useCursorList } from '../api/useCursorList';
import { useRoles } from '../auth/AuthProvider';
import { mayDocuments, type DocumentRecordType } from '../auth/roles';
import { useFormat } from '../format/useFormat';
import type { DocumentUrl, StoredDocument } from './documents.types';
import { Empty, ErrorState, useErrorText } from './States';

export interface DocumentsPanelProps {
  /** The kind of record, as the documents API names it (`quote`, `sales_order`, `company`, …). */
  recordType: DocumentRecordType;
  recordId: string;
  /**
   * Whether attaching and deleting are offered. By default, whether the user's roles may change
   * the record's documents; a page passes false where the record may no longer change.
   */
  canEdit?: boolean;
  /** The heading; "Documents" unless given. */
  title?: string;
}

/**
 * The files attached to a record: listed newest first, downloaded through a short-lived link,
 * attached (the file's bytes go to the API, which decides the type from them) and deleted after
 * a confirmation. Shows nothing to a user whose roles may not read the record's documents.
 */
export function DocumentsPanel(props: DocumentsPanelProps) {
  const roles = useRoles();
  if (!mayDocuments('read', props.recordType, roles)) return null;
  return (
    <DocumentsSection {...props} canEdit={props.canEdit ?? mayDocuments('change', props.recordType, roles)} />
  );
}

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  heading: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  spacer: { flexGrow: 1 },
  scroller: { overflowX: 'auto' },
  name: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  nameButton: { textAlign: 'start', minWidth: 0, wordBreak: 'break-word' },
  numeric: { textAlign: 'end', fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalXS, justifyContent: 'end' },
  hidden: { display: 'none' },
  // Read by screen readers, not shown.
  visuallyHidden: {
    position: 'absolute',
    width: '1px',
    height: '1px',
    overflow: 'hidden',
    clipPath: 'inset(50%)',
    whiteSpace: 'nowrap',
  },
});

/** What the file picker offers: the types the API accepts (it still checks the bytes). */
const ACCEPT = [
  '.pdf',
  '.png',
  '.jpg',
  '.jpeg',
  '.gif',
  '.webp',
  '.tif',
  '.tiff',
  '.docx',
  '.xlsx',
  '.pptx',
  '.odt',
  '.ods',
  '.txt',
  '.csv',
].join(',');

// Who files the tax invoice PDF of an issued invoice (shared/modules/invoicing/service.ts).
const INVOICING_ACTOR = 'system:invoicing';

const typeLabels = defineMessages({
  pdf: { id: 'documents.type.pdf', defaultMessage: 'PDF' },
  word: { id: 'documents.type.word', defaultMessage: 'Word document' },
  excel: { id: 'documents.type.excel', defaultMessage: 'Excel workbook' },
  powerpoint: { id: 'documents.type.powerpoint', defaultMessage: 'PowerPoint presentation' },
  odt: { id: 'documents.type.odt', defaultMessage: 'OpenDocument text' },
  ods: { id: 'documents.type.ods', defaultMessage: 'OpenDocument spreadsheet' },
  text: { id: 'documents.type.text', defaultMessage: 'Text' },
  csv: { id: 'documents.type.csv', defaultMessage: 'CSV' },
});

const OFFICE_TYPES: Record<string, keyof typeof typeLabels> = {
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'word',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'excel',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'powerpoint',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
};

/** A file type as people name it: "PDF", "PNG image", "Excel workbook". */
function typeLabel(intl: IntlShape, contentType: string | null): string {
  if (!contentType) return '—';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/pdf') return intl.formatMessage(typeLabels.pdf);
  if (type.startsWith('image/'))
    return intl.formatMessage(
      { id: 'documents.type.image', defaultMessage: '{format} image' },
      { format: type.slice('image/'.length).toUpperCase() },
    );
  if (type === 'text/csv') return intl.formatMessage(typeLabels.csv);
  if (type === 'text/plain') return intl.formatMessage(typeLabels.text);
  const office = OFFICE_TYPES[type];
  return office ? intl.formatMessage(typeLabels[office]) : type;
}

/** A size in bytes, KB or MB (of 1024), in the user's locale. */
function sizeLabel(locale: string, bytes: number | null): string {
  if (bytes === null) return '—';
  const [unit, value] =
    bytes < 1024
      ? (['byte', bytes] as const)
      : bytes < 1024 * 1024
        ? (['kilobyte', bytes / 1024] as const)
        : (['megabyte', bytes / (1024 * 1024)] as const);
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit,
    unitDisplay: 'short',
    maximumFractionDigits: unit === 'byte' ? 0 : 1,
  }).format(value);
}

/**
 * Saves the file the URL serves. The URL answers with `Content-Disposition: attachment`, so the
 * browser downloads it and the page stays; `download` names the file where the URL is same-origin.
 */
function saveFrom(url: string, fileName: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
}

interface Refusal {
  fileName: string;
  error: unknown;
}

function DocumentsSection({
  recordType,
  recordId,
  canEdit,
  title,
}: DocumentsPanelProps & { canEdit: boolean }) {
  const styles = useStyles();
  const intl = useIntl();
  const api = useApi();
  const format = useFormat();
  const errorText = useErrorText();
  const queryClient = useQueryClient();
  const headingId = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [refusals, setRefusals] = useState<Refusal[]>([]);
  const [confirming, setConfirming] = useState<StoredDocument>();
  const queryKey = documentKeys.forRecord(recordType, recordId);
  const list = useCursorList<StoredDocument>(queryKey, 'v1/documents', { recordType, recordId });

  const upload = useMutation({
    // One file after the other: each gets its own Idempotency-Key and its own answer.
    mutationFn: async (files: File[]) => {
      const refused: Refusal[] = [];
      for (const file of files) {
        try {
          await api.upload<StoredDocument>('v1/documents', file, {
            query: { recordType, recordId, fileName: file.name },
            idempotencyKey: crypto.randomUUID(),
          });
        } catch (error) {
          refused.push({ fileName: file.name, error });
        }
      }
      return refused;
    },
    onMutate: () => setRefusals([]),
    onSuccess: setRefusals,
    onError: (error) => setRefusals([{ fileName: '', error }]),
    onSettled: () => queryClient.invalidateQueries({ queryKey }),
  });

  const download = useMutation({
    mutationFn: async (stored: StoredDocument) => {
      const link = await api.get<DocumentUrl>(`v1/documents/${stored.id}/download`);
      saveFrom(link.url, stored.fileName);
    },
  });

  const refusalText = ({ fileName, error }: Refusal): string => {
    if (error instanceof ApiError) {
      if (error.status === 413)
        return intl.formatMessage(
          {
            id: 'documents.tooLarge',
            defaultMessage:
              '“{fileName}” is too large to attach. Make it smaller or split it, then try again.',
          },
          { fileName },
        );
      if (error.status === 415)
        return intl.formatMessage(
          {
            id: 'documents.typeRefused',
            defaultMessage:
              '“{fileName}” is not a kind of file that can be attached. Attach PDF, images (PNG, JPEG, GIF, WebP, TIFF), Word, Excel, PowerPoint or OpenDocument files, plain text or CSV.',
          },
          { fileName },
        );
      if (error.problem.code === 'documents.empty')
        return intl.formatMessage(
          { id: 'documents.empty', defaultMessage: '“{fileName}” is empty; there is nothing to attach.' },
          { fileName },
        );
    }
    return errorText(error);
  };

  const heading = title ?? intl.formatMessage({ id: 'documents.title', defaultMessage: 'Documents' });
  return (
    <section className={styles.section} aria-labelledby={headingId}>
      <div className={styles.heading}>
        <Subtitle2 as="h2" id={headingId}>
          {heading}
        </Subtitle2>
        <span className={styles.spacer} />
        {canEdit && (
          <>
            <input
              ref={fileInput}
              type="file"
              multiple
              accept={ACCEPT}
              className={styles.hidden}
              aria-label={intl.formatMessage(
                { id: 'documents.fileInput', defaultMessage: 'Files to attach to {title}' },
                { title: heading },
              )}
              onChange={(event) => {
                const files = [...(event.target.files ?? [])];
                // Cleared, so that choosing the same file again (after a refusal) is a change.
                event.target.value = '';
                if (files.length > 0) upload.mutate(files);
              }}
            />
            <Button
              icon={upload.isPending ? <Spinner size="tiny" /> : <AttachRegular />}
              disabled={upload.isPending}
              onClick={() => fileInput.current?.click()}
            >
              {upload.isPending ? (
                <FormattedMessage id="documents.uploading" defaultMessage="Attaching…" />
              ) : (
                <FormattedMessage id="documents.attach" defaultMessage="Attach files" />
              )}
            </Button>
          </>
        )}
      </div>
      {refusals.length > 0 && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>
              <FormattedMessage
                id="documents.notAttached"
                defaultMessage="{count, plural, one {A file was not attached} other {# files were not attached}}"
                values={{ count: refusals.length }}
              />
            </MessageBarTitle>
            {refusals.length === 1 ? (
              refusalText(refusals[0]!)
            ) : (
              <ul>
                {refusals.map((refusal, i) => (
                  <li key={i}>{refusalText(refusal)}</li>
                ))}
              </ul>
            )}
          </MessageBarBody>
          <MessageBarActions
            containerAction={
              <Button
                appearance="transparent"
                icon={<DismissRegular />}
                aria-label={intl.formatMessage({ id: 'documents.dismiss', defaultMessage: 'Dismiss' })}
                onClick={() => setRefusals([])}
              />
            }
          />
        </MessageBar>
      )}
      {download.isError && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>
              <FormattedMessage id="documents.downloadFailed" defaultMessage="Not downloaded" />
            </MessageBarTitle>
            {errorText(download.error)}
          </MessageBarBody>
        </MessageBar>
      )}
      {list.loading ? (
        <Spinner
          size="small"
          label={intl.formatMessage({ id: 'documents.loading', defaultMessage: 'Loading documents…' })}
        />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={list.onRetry} />
      ) : list.rows.length === 0 ? (
        <Empty>
          <FormattedMessage id="documents.none" defaultMessage="No documents attached yet." />
        </Empty>
      ) : (
        <div className={styles.scroller}>
          <Table size="small" aria-labelledby={headingId}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>
                  <FormattedMessage id="documents.name" defaultMessage="Name" />
                </TableHeaderCell>
                <TableHeaderCell>
                  <FormattedMessage id="documents.type" defaultMessage="Type" />
                </TableHeaderCell>
                <TableHeaderCell className={styles.numeric}>
                  <FormattedMessage id="documents.size" defaultMessage="Size" />
                </TableHeaderCell>
                <TableHeaderCell>
                  <FormattedMessage id="documents.uploadedBy" defaultMessage="Attached by" />
                </TableHeaderCell>
                <TableHeaderCell>
                  <FormattedMessage id="documents.uploadedAt" defaultMessage="Attached on" />
                </TableHeaderCell>
                <TableHeaderCell>
                  <span className={styles.visuallyHidden}>
                    <FormattedMessage id="documents.actions" defaultMessage="Actions" />
                  </span>
                </TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {list.rows.map((d) => (
                <TableRow key={d.id}>
                  <TableCell>
                    <span className={styles.name}>
                      <Link
                        as="button"
                        className={styles.nameButton}
                        disabled={download.isPending}
                        onClick={() => download.mutate(d)}
                      >
                        {d.fileName}
                      </Link>
                      {recordType === 'invoice' && d.uploadedBy.objectId === INVOICING_ACTOR && (
                        <Badge appearance="tint" color="brand">
                          <FormattedMessage id="documents.taxInvoice" defaultMessage="Tax invoice" />
                        </Badge>
                      )}
                    </span>
                  </TableCell>
                  <TableCell>{typeLabel(intl, d.contentType)}</TableCell>
                  <TableCell className={styles.numeric}>{sizeLabel(intl.locale, d.sizeBytes)}</TableCell>
                  <TableCell>{d.uploadedBy.name}</TableCell>
                  <TableCell>{format.dateTime(d.availableAt ?? d.createdAt)}</TableCell>
                  <TableCell>
                    <span className={styles.actions}>
                      <Button
                        appearance="subtle"
                        size="small"
                        icon={<ArrowDownloadRegular />}
                        disabled={download.isPending}
                        aria-label={intl.formatMessage(
                          { id: 'documents.download', defaultMessage: 'Download {fileName}' },
                          { fileName: d.fileName },
                        )}
                        onClick={() => download.mutate(d)}
                      />
                      {canEdit && (
                        <Button
                          appearance="subtle"
                          size="small"
                          icon={<DeleteRegular />}
                          aria-label={intl.formatMessage(
                            { id: 'documents.delete', defaultMessage: 'Delete {fileName}' },
                            { fileName: d.fileName },
                          )}
                          onClick={() => setConfirming(d)}
                        />
                      )}
                    </span>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {list.hasMore && (
            <Button appearance="subtle" disabled={list.loadingMore} onClick={list.onLoadMore}>
              <FormattedMessage id="documents.more" defaultMessage="Show more" />
            </Button>
          )}
        </div>
      )}
      {confirming && (
        <DeleteDialog
          document={confirming}
          onClose={() => setConfirming(undefined)}
          onDeleted={() => {
            setConfirming(undefined);
            void queryClient.invalidateQueries({ queryKey });
          }}
          onStale={() => void queryClient.invalidateQueries({ queryKey })}
        />
      )}
    </section>
  );
}

/** Asks before a document is deleted; the delete carries the version shown (If-Match). */
function DeleteDialog(props: {
  document: StoredDocument;
  onClose: () => void;
  onDeleted: () => void;
  onStale: () => void;
}) {
  const api = useApi();
  const intl = useIntl();
  const errorText = useErrorText();
  const remove = useMutation({
    mutationFn: () =>
      api.request<void>('DELETE', `v1/documents/${props.document.id}`, { version: props.document.version }),
    onSuccess: props.onDeleted,
    onError: (error) => {
      // Changed or deleted by someone else since the list was read: show the list as it is now.
      if (error instanceof ApiError && (error.status === 412 || error.status === 409)) props.onStale();
    },
  });
  const stale =
    remove.error instanceof ApiError && (remove.error.status === 412 || remove.error.status === 409);
  return (
    <Dialog open modalType="alert" onOpenChange={(_, data) => !data.open && props.onClose()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>
            <FormattedMessage id="documents.deleteTitle" defaultMessage="Delete this document?" />
          </DialogTitle>
          <DialogContent>
            <p>
              <FormattedMessage
                id="documents.deleteBody"
                defaultMessage="“{fileName}” leaves this record and can no longer be downloaded. The audit log keeps a record of it."
                values={{ fileName: props.document.fileName }}
              />
            </p>
            {remove.isError && (
              <MessageBar intent="error" layout="multiline">
                <MessageBarBody>
                  {stale
                    ? intl.formatMessage({
                        id: 'documents.deleteStale',
                        defaultMessage:
                          'Someone else changed or deleted this document in the meantime. The list now shows it as it is.',
                      })
                    : errorText(remove.error)}
                </MessageBarBody>
              </MessageBar>
            )}
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" disabled={remove.isPending || stale} onClick={() => remove.mutate()}>
              <FormattedMessage id="documents.deleteConfirm" defaultMessage="Delete" />
            </Button>
            <Button onClick={props.onClose}>
              <FormattedMessage id="documents.cancel" defaultMessage="Cancel" />
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
