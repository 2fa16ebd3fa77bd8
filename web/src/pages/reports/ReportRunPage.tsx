import {
  Badge,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Subtitle2,
  Title2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useQuery } from '@tanstack/react-query';
import { useId, type ReactNode } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { Link, useParams } from 'react-router';
import { useApi } from '../../api/ApiProvider';
import { reportKeys } from '../../api/keys';
import { ErrorState, Loading } from '../../components/States';
import { useFormat } from '../../format/useFormat';
import { formatCode, periodLabels, reportTypeLabels, runStatusColours, runStatusLabels } from './labels';
import { DownloadButtons, ErrorBar, usePeriodText, useReportText, useRunDownload, useRunName } from './parts';
import { isRunPending, type Run } from './types';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '960px' },
  heading: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: tokens.spacingHorizontalXXL,
    rowGap: tokens.spacingVerticalS,
    margin: 0,
  },
  // The pairs sit in the list's grid; the wrapper only keeps each term with its detail.
  fact: { display: 'contents' },
  term: { color: tokens.colorNeutralForeground3 },
  detail: { margin: 0 },
  list: { margin: 0, paddingInlineStart: tokens.spacingHorizontalL },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

/** How often the run is read again while the report is being made. */
const POLL_MS = 2_000;

/** One report run: what it covers, how it went, its files to download, and who was told. */
export function ReportRunPage() {
  const { id = '' } = useParams();
  const api = useApi();
  const run = useQuery({
    queryKey: reportKeys.run(id),
    queryFn: ({ signal }) => api.get<Run>(`v1/reports/runs/${id}`, { signal }),
    refetchInterval: (query) => (query.state.data && isRunPending(query.state.data) ? POLL_MS : false),
  });
  if (run.isPending) return <Loading />;
  if (run.isError) return <ErrorState error={run.error} onRetry={() => void run.refetch()} />;
  return <RunDetails run={run.data} />;
}

function RunDetails({ run }: { run: Run }) {
  const styles = useStyles();
  const intl = useIntl();
  const format = useFormat();
  const text = useReportText();
  const periodText = usePeriodText();
  const runName = useRunName();
  const download = useRunDownload();
  const filesHeading = useId();
  const recipientsHeading = useId();
  const size = run.files.reduce((sum, f) => sum + f.sizeBytes, 0);

  const facts: [string, ReactNode][] = [
    [
      intl.formatMessage({ id: 'reports.report', defaultMessage: 'Report' }),
      intl.formatMessage(reportTypeLabels[run.reportType]),
    ],
    [intl.formatMessage({ id: 'reports.period', defaultMessage: 'Period' }), periodText(run, format.date)],
    [
      intl.formatMessage({ id: 'reports.run.basis', defaultMessage: 'Asked for' }),
      run.scheduleId ? (
        <FormattedMessage
          id="reports.run.scheduled"
          defaultMessage="By a schedule, for {period}"
          values={{ period: intl.formatMessage(periodLabels[run.parameters.period]) }}
        />
      ) : (
        <FormattedMessage id="reports.run.manual" defaultMessage="By hand" />
      ),
    ],
    [
      intl.formatMessage({ id: 'reports.formats', defaultMessage: 'Formats' }),
      run.formats.map(formatCode).join(', '),
    ],
    [
      intl.formatMessage({ id: 'reports.requested', defaultMessage: 'Requested' }),
      format.dateTime(run.createdAt),
    ],
    [
      intl.formatMessage({ id: 'reports.started', defaultMessage: 'Started' }),
      run.startedAt ? format.dateTime(run.startedAt) : '—',
    ],
    [
      intl.formatMessage({ id: 'reports.finished', defaultMessage: 'Finished' }),
      run.finishedAt ? format.dateTime(run.finishedAt) : '—',
    ],
    [
      intl.formatMessage({ id: 'reports.duration', defaultMessage: 'Duration' }),
      run.durationMs === null ? '—' : text.duration(run.durationMs),
    ],
    [
      intl.formatMessage({ id: 'reports.rows', defaultMessage: 'Rows' }),
      run.rowCount === null ? '—' : intl.formatNumber(run.rowCount),
    ],
    [
      intl.formatMessage({ id: 'reports.size', defaultMessage: 'Size' }),
      run.files.length ? text.size(size) : '—',
    ],
  ];

  return (
    <div className={styles.page}>
      <Link to="/reports?tab=runs">
        <FormattedMessage id="reports.run.back" defaultMessage="All report runs" />
      </Link>
      <div className={styles.heading}>
        <Title2 as="h1">{runName(run)}</Title2>
        <Badge appearance="tint" color={runStatusColours[run.status]}>
          {intl.formatMessage(runStatusLabels[run.status])}
        </Badge>
        {isRunPending(run) && (
          <Spinner
            size="tiny"
            label={intl.formatMessage({ id: 'reports.run.working', defaultMessage: 'Making the report…' })}
          />
        )}
      </div>

      {run.status === 'failed' && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>
              <FormattedMessage id="reports.run.failed" defaultMessage="The report could not be made" />
            </MessageBarTitle>
            {run.error}
          </MessageBarBody>
        </MessageBar>
      )}

      <dl className={styles.facts}>
        {facts.map(([term, detail]) => (
          <div key={term} className={styles.fact}>
            <dt className={styles.term}>{term}</dt>
            <dd className={styles.detail}>{detail}</dd>
          </div>
        ))}
      </dl>

      <section className={styles.section} aria-labelledby={filesHeading}>
        <Subtitle2 as="h2" id={filesHeading}>
          <FormattedMessage id="reports.files" defaultMessage="Files" />
        </Subtitle2>
        {download.isError && (
          <ErrorBar
            title={<FormattedMessage id="reports.downloadFailed" defaultMessage="Not downloaded" />}
            error={download.error}
          />
        )}
        {run.files.length > 0 ? (
          <DownloadButtons run={run} download={download} long />
        ) : (
          <span className={styles.term}>
            {isRunPending(run) ? (
              <FormattedMessage
                id="reports.run.filesPending"
                defaultMessage="The files can be downloaded here once the report is ready."
              />
            ) : (
              <FormattedMessage id="reports.run.noFiles" defaultMessage="This run has no files." />
            )}
          </span>
        )}
      </section>

      <section className={styles.section} aria-labelledby={recipientsHeading}>
        <Subtitle2 as="h2" id={recipientsHeading}>
          <FormattedMessage id="reports.recipients" defaultMessage="Recipients" />
        </Subtitle2>
        {run.recipients.length > 0 ? (
          <ul className={styles.list}>
            {run.recipients.map((recipient, index) => (
              <li key={index}>
                {'userId' in recipient ? (
                  <FormattedMessage id="reports.recipient.user" defaultMessage="A user of the organisation" />
                ) : recipient.name ? (
                  `${recipient.name} <${recipient.email}>`
                ) : (
                  recipient.email
                )}
              </li>
            ))}
          </ul>
        ) : (
          <span className={styles.term}>
            <FormattedMessage
              id="reports.run.noRecipients"
              defaultMessage="Nobody else is told about this run."
            />
          </span>
        )}
      </section>
    </div>
  );
}
