import {
  Badge,
  Button,
  Tab,
  TabList,
  Text,
  Title2,
  Toolbar,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, PlayRegular } from '@fluentui/react-icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useApi } from '../../api/ApiProvider';
import { reportKeys } from '../../api/keys';
import { useCursorList } from '../../api/useCursorList';
import { ResourceGrid, type GridColumn } from '../../components/ResourceGrid';
import { useFormat } from '../../format/useFormat';
import { formatCode, reportTypeLabels, runStatusColours, runStatusLabels } from './labels';
import { DownloadButtons, ErrorBar, useReportText, useRunDownload, useRunName, usePeriodText } from './parts';
import { RunNowDialog } from './RunNowDialog';
import { ScheduleDialog } from './ScheduleDialog';
import { isRunPending, type Run, type Schedule } from './types';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  heading: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  spacer: { flexGrow: 1 },
  stacked: { display: 'flex', flexDirection: 'column', minWidth: 0 },
  secondary: { color: tokens.colorNeutralForeground3, fontFamily: tokens.fontFamilyMonospace },
  muted: { color: tokens.colorNeutralForeground3 },
});

/** How often the runs are read again while one of them is queued or running. */
const POLL_MS = 2_000;

type TabName = 'schedules' | 'runs';

/**
 * Reports: the schedules (what runs, for whom, when) and the runs (each report made, with its
 * files), and a way to run any report now.
 */
export function ReportsPage() {
  const styles = useStyles();
  const intl = useIntl();
  const [params, setParams] = useSearchParams();
  const tab: TabName = params.get('tab') === 'runs' ? 'runs' : 'schedules';
  // A new schedule (null), one being changed, or none (undefined).
  const [editing, setEditing] = useState<Schedule | null>();
  const [runningNow, setRunningNow] = useState(false);

  return (
    <div className={styles.page}>
      <div className={styles.heading}>
        <Title2 as="h1">
          <FormattedMessage id="reports.title" defaultMessage="Reports" />
        </Title2>
        <span className={styles.spacer} />
        <Toolbar aria-label={intl.formatMessage({ id: 'reports.actions', defaultMessage: 'Report actions' })}>
          <Button icon={<AddRegular />} onClick={() => setEditing(null)}>
            <FormattedMessage id="reports.schedule.new" defaultMessage="New schedule" />
          </Button>
          <Button appearance="primary" icon={<PlayRegular />} onClick={() => setRunningNow(true)}>
            <FormattedMessage id="reports.runNow" defaultMessage="Run now" />
          </Button>
        </Toolbar>
      </div>
      <TabList
        selectedValue={tab}
        onTabSelect={(_, data) => setParams(data.value === 'runs' ? { tab: 'runs' } : {}, { replace: true })}
      >
        <Tab value="schedules">
          <FormattedMessage id="reports.tab.schedules" defaultMessage="Schedules" />
        </Tab>
        <Tab value="runs">
          <FormattedMessage id="reports.tab.runs" defaultMessage="Runs" />
        </Tab>
      </TabList>
      {tab === 'schedules' ? <SchedulesTab onEdit={setEditing} /> : <RunsTab />}
      {editing !== undefined && (
        <ScheduleDialog
          key={editing?.id ?? 'new'}
          schedule={editing ?? undefined}
          onClose={() => setEditing(undefined)}
        />
      )}
      {runningNow && <RunNowDialog onClose={() => setRunningNow(false)} />}
    </div>
  );
}

function SchedulesTab({ onEdit }: { onEdit: (schedule: Schedule) => void }) {
  const styles = useStyles();
  const intl = useIntl();
  const api = useApi();
  const format = useFormat();
  const text = useReportText();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const list = useCursorList<Schedule>(reportKeys.scheduleList({}), 'v1/reports/schedules');

  const runSchedule = useMutation({
    mutationFn: (schedule: Schedule) => api.post<Run>('v1/reports/runs', { scheduleId: schedule.id }),
    onSuccess: (run) => {
      queryClient.setQueryData(reportKeys.run(run.id), run);
      void queryClient.invalidateQueries({ queryKey: reportKeys.runs() });
      void navigate(`/reports/runs/${run.id}`);
    },
  });

  const { mutate: startSchedule, isPending: startingSchedule } = runSchedule;

  const columns = useMemo<GridColumn<Schedule>[]>(
    () => [
      {
        id: 'name',
        header: intl.formatMessage({ id: 'reports.name', defaultMessage: 'Name' }),
        value: (s) => s.name,
        width: 220,
      },
      {
        id: 'report',
        header: intl.formatMessage({ id: 'reports.report', defaultMessage: 'Report' }),
        value: (s) => intl.formatMessage(reportTypeLabels[s.reportType]),
        width: 200,
      },
      {
        id: 'formats',
        header: intl.formatMessage({ id: 'reports.formats', defaultMessage: 'Formats' }),
        value: (s) => s.formats.map(formatCode).join(', '),
        width: 130,
      },
      {
        id: 'schedule',
        header: intl.formatMessage({ id: 'reports.schedule', defaultMessage: 'Schedule' }),
        value: (s) => text.schedule(s.schedule),
        render: (s) => (
          <span className={styles.stacked}>
            <span>{text.schedule(s.schedule)}</span>
            <Text size={200} className={styles.secondary}>
              {s.schedule}
            </Text>
          </span>
        ),
        exportValue: (s) => `${text.schedule(s.schedule)} (${s.schedule})`,
        width: 260,
      },
      {
        id: 'timeZone',
        header: intl.formatMessage({ id: 'reports.timeZone', defaultMessage: 'Time zone' }),
        value: (s) => s.timeZone,
        width: 170,
      },
      {
        id: 'active',
        header: intl.formatMessage({ id: 'reports.active', defaultMessage: 'Active' }),
        value: (s) =>
          s.active
            ? intl.formatMessage({ id: 'reports.active.on', defaultMessage: 'Active' })
            : intl.formatMessage({ id: 'reports.active.off', defaultMessage: 'Paused' }),
        render: (s) => (
          <Badge appearance="tint" color={s.active ? 'success' : 'subtle'}>
            {s.active ? (
              <FormattedMessage id="reports.active.on" defaultMessage="Active" />
            ) : (
              <FormattedMessage id="reports.active.off" defaultMessage="Paused" />
            )}
          </Badge>
        ),
        width: 110,
      },
      {
        id: 'nextRun',
        header: intl.formatMessage({ id: 'reports.nextRun', defaultMessage: 'Next run' }),
        value: (s) => s.nextRunAt,
        render: (s) => (s.nextRunAt ? format.dateTime(s.nextRunAt) : '—'),
        width: 180,
      },
      {
        id: 'actions',
        header: intl.formatMessage({ id: 'reports.runActions', defaultMessage: 'Actions' }),
        value: () => null,
        render: (s) => (
          <Button
            size="small"
            icon={<PlayRegular />}
            aria-label={intl.formatMessage(
              { id: 'reports.schedule.runNow', defaultMessage: 'Run “{name}” now' },
              { name: s.name },
            )}
            disabled={startingSchedule}
            onClick={(event) => {
              // A click on the button is not a click on the row (which opens the schedule).
              event.stopPropagation();
              startSchedule(s);
            }}
          >
            <FormattedMessage id="reports.runNow" defaultMessage="Run now" />
          </Button>
        ),
        exportValue: () => '',
        width: 140,
      },
    ],
    [intl, format, text, styles, startSchedule, startingSchedule],
  );

  return (
    <>
      {runSchedule.isError && (
        <ErrorBar
          title={<FormattedMessage id="reports.runFailedToStart" defaultMessage="The report did not start" />}
          error={runSchedule.error}
        />
      )}
      <ResourceGrid<Schedule>
        label={intl.formatMessage({ id: 'reports.schedules', defaultMessage: 'Report schedules' })}
        exportName="report-schedules"
        columns={columns}
        getRowId={(s) => s.id}
        onRowActivate={onEdit}
        empty={
          <FormattedMessage
            id="reports.schedules.empty"
            defaultMessage="No report is scheduled yet. A schedule runs a report by itself and tells its recipients."
          />
        }
        {...list}
      />
    </>
  );
}

function RunsTab() {
  const styles = useStyles();
  const intl = useIntl();
  const format = useFormat();
  const text = useReportText();
  const periodText = usePeriodText();
  const runName = useRunName();
  const navigate = useNavigate();
  const download = useRunDownload();
  // Polls only while a run is still being made, and stops once every run is done.
  const [polling, setPolling] = useState(false);
  const list = useCursorList<Run>(
    reportKeys.runList({}),
    'v1/reports/runs',
    {},
    {
      refetchInterval: polling ? POLL_MS : undefined,
    },
  );
  const pending = list.rows.some(isRunPending);
  if (pending !== polling) setPolling(pending);

  const columns = useMemo<GridColumn<Run>[]>(
    () => [
      {
        id: 'name',
        header: intl.formatMessage({ id: 'reports.run', defaultMessage: 'Run' }),
        value: (r) => runName(r),
        render: (r) => (
          <span className={styles.stacked}>
            <Link to={`/reports/runs/${r.id}`}>{runName(r)}</Link>
            <Text size={200} className={styles.muted}>
              {intl.formatMessage(reportTypeLabels[r.reportType])}
            </Text>
          </span>
        ),
        width: 230,
      },
      {
        id: 'period',
        header: intl.formatMessage({ id: 'reports.period', defaultMessage: 'Period' }),
        value: (r) => `${r.from ?? ''} ${r.to}`,
        render: (r) => periodText(r, format.date),
        exportValue: (r) => periodText(r, format.date),
        width: 220,
      },
      {
        id: 'status',
        header: intl.formatMessage({ id: 'reports.status', defaultMessage: 'Status' }),
        value: (r) => intl.formatMessage(runStatusLabels[r.status]),
        render: (r) => (
          <Badge appearance="tint" color={runStatusColours[r.status]}>
            {intl.formatMessage(runStatusLabels[r.status])}
          </Badge>
        ),
        width: 110,
      },
      {
        id: 'requested',
        header: intl.formatMessage({ id: 'reports.requested', defaultMessage: 'Requested' }),
        value: (r) => r.createdAt,
        render: (r) => format.dateTime(r.createdAt),
        width: 170,
      },
      {
        id: 'started',
        header: intl.formatMessage({ id: 'reports.started', defaultMessage: 'Started' }),
        value: (r) => r.startedAt,
        render: (r) => (r.startedAt ? format.dateTime(r.startedAt) : '—'),
        width: 170,
      },
      {
        id: 'finished',
        header: intl.formatMessage({ id: 'reports.finished', defaultMessage: 'Finished' }),
        value: (r) => r.finishedAt,
        render: (r) => (r.finishedAt ? format.dateTime(r.finishedAt) : '—'),
        width: 170,
      },
      {
        id: 'duration',
        header: intl.formatMessage({ id: 'reports.duration', defaultMessage: 'Duration' }),
        value: (r) => r.durationMs,
        render: (r) => (r.durationMs === null ? '—' : text.duration(r.durationMs)),
        numeric: true,
        width: 100,
      },
      {
        id: 'size',
        header: intl.formatMessage({ id: 'reports.size', defaultMessage: 'Size' }),
        value: (r) => (r.files.length ? r.files.reduce((sum, f) => sum + f.sizeBytes, 0) : null),
        render: (r) => (r.files.length ? text.size(r.files.reduce((sum, f) => sum + f.sizeBytes, 0)) : '—'),
        numeric: true,
        width: 100,
      },
      {
        id: 'files',
        header: intl.formatMessage({ id: 'reports.files', defaultMessage: 'Files' }),
        value: (r) => r.files.map((f) => formatCode(f.format)).join(', '),
        render: (r) => <DownloadButtons run={r} download={download} runName={runName(r)} />,
        width: 190,
      },
    ],
    [intl, format, text, styles, periodText, runName, download],
  );

  return (
    <>
      {download.isError && (
        <ErrorBar
          title={<FormattedMessage id="reports.downloadFailed" defaultMessage="Not downloaded" />}
          error={download.error}
        />
      )}
      <ResourceGrid<Run>
        label={intl.formatMessage({ id: 'reports.runs', defaultMessage: 'Report runs' })}
        exportName="report-runs"
        columns={columns}
        getRowId={(r) => r.id}
        onRowActivate={(r) => void navigate(`/reports/runs/${r.id}`)}
        empty={
          <FormattedMessage
            id="reports.runs.empty"
            defaultMessage="No report has run yet. Run one now, or schedule one."
          />
        }
        {...list}
      />
    </>
  );
}
