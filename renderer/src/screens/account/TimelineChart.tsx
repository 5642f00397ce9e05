import { CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import type { AccountRef, AccountTimeline, SeriesPoint, TimelineMarker } from '../../../../core/api/types';
import { call } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { useAmountScale } from '../../components/Amount';
import { formatAmount, formatAxisTick, formatAxisTickFull, formatChartDate, formatDate, formatInstant } from '../../format';

/** A value axis mark: short text (huge values in scientific form), its full value in a tooltip. */
function ValueTick({ x, y, payload }: { x?: number; y?: number; payload?: { value: number } }) {
  if (payload === undefined) return null;
  return (
    <text x={x} y={y} dy={4} textAnchor="end" fill="#5b6472" fontSize={12} data-testid="value-tick">
      <title>{formatAxisTickFull(payload.value)}</title>
      {formatAxisTick(payload.value)}
    </text>
  );
}
import { asOfParam, useApp } from '../../state/store';

/*
 * The balance as a step line (series computed by core: timeline.get), purchases and expiries marked, and
 * ahead of as-of the expirations still scheduled with the balance they would leave. `t`/`y` are chart
 * coordinates; tooltips show the exact amounts.
 */

interface Datum {
  t: number;
  y: number;
  label: string;
  detail: string;
}

function seriesData(points: SeriesPoint[], unit: string, scale: number, label: string): Datum[] {
  return points.map((p) => ({ t: p.t, y: p.y, label, detail: `${formatInstant(p.at)} · balance ${formatAmount(p.balance, unit, scale)}` }));
}

function markerData(markers: TimelineMarker[], unit: string, scale: number, label: string): Datum[] {
  return markers.map((m) => ({
    t: m.t,
    y: m.y,
    label,
    detail: `${formatInstant(m.at)} · ${label.toLowerCase()} ${formatAmount(m.amount, unit, scale)}${m.block_id === null ? '' : ` · block ${m.block_id}`} · balance after ${formatAmount(m.balance, unit, scale)}`,
  }));
}

function ChartTooltip({ active, payload }: { active?: boolean; payload?: readonly { payload?: Datum }[] }) {
  const datum = payload?.[0]?.payload;
  if (!active || datum === undefined) return null;
  return (
    <div className="chart-tooltip">
      <strong>{datum.label}</strong>
      <div>{datum.detail}</div>
    </div>
  );
}

function UpcomingList({ timeline, scale }: { timeline: AccountTimeline; scale: number }) {
  if (timeline.upcoming.length === 0) return <p className="muted small">No expiration is scheduled after this instant.</p>;
  return (
    <table className="compact" aria-label="Upcoming expirations">
      <caption>Upcoming expirations (if nothing else happens)</caption>
      <thead>
        <tr>
          <th scope="col">Date</th>
          <th scope="col">Block</th>
          <th scope="col" className="right">
            Expires
          </th>
          <th scope="col" className="right">
            Balance after
          </th>
        </tr>
      </thead>
      <tbody>
        {timeline.upcoming.slice(0, 6).map((m) => (
          <tr key={`${m.t}-${m.block_id ?? ''}`}>
            <td>{formatDate(m.at)}</td>
            <td>{m.block_id}</td>
            <td className="right amount">{formatAmount(m.amount, timeline.unit, scale)}</td>
            <td className="right amount">{formatAmount(m.balance, timeline.unit, scale)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function TimelineChart({ account }: { account: AccountRef }) {
  const asOf = useApp((state) => state.asOf);
  const dataVersion = useApp((state) => state.dataVersion);
  const timeline = useLoad(JSON.stringify([account, asOf, dataVersion]), () => call('timeline.get', { account, ...asOfParam(asOf) }));
  const scale = useAmountScale(account.unit);
  if (timeline.error !== null) return <ErrorBanner message={timeline.error} />;
  if (timeline.data === null) return <Loading label="Loading timeline" />;
  const data = timeline.data;
  if (data.series.length === 0) {
    return (
      <EmptyState title="No history at this instant">
        <p>The account had no entries yet. Move the as-of date later.</p>
      </EmptyState>
    );
  }
  const unit = data.unit;
  const asOfT = Date.parse(data.as_of);
  const lastT = Math.max(asOfT, data.projected[data.projected.length - 1]?.t ?? asOfT);
  // The step line runs on to as-of; the projection starts there.
  const history = [...seriesData(data.series, unit, scale, 'Balance')];
  const lastPoint = data.series[data.series.length - 1]!;
  history.push({ t: asOfT, y: lastPoint.y, label: 'Balance', detail: `${formatInstant(data.as_of)} · balance ${formatAmount(lastPoint.balance, unit, scale)}` });
  return (
    <div className="timeline two-column" data-testid="timeline">
      <div className="chart" role="img" aria-label={`Balance of ${account.customer_id} over time in ${unit}, with purchases, expiries and upcoming expirations`}>
        <ResponsiveContainer width="100%" height={250}>
          <ComposedChart margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
            <CartesianGrid stroke="#e3e6ea" />
            <XAxis dataKey="t" type="number" domain={[data.series[0]!.t, lastT]} tickFormatter={formatChartDate} scale="time" />
            <YAxis dataKey="y" type="number" tick={<ValueTick />} width={64} />
            <Tooltip content={<ChartTooltip />} isAnimationActive={false} />
            <Legend />
            <Line data={history} type="stepAfter" dataKey="y" name={`Balance (${unit})`} stroke="#2457c5" dot={false} isAnimationActive={false} />
            <Line
              data={seriesData(data.projected, unit, scale, 'Projected')}
              type="stepAfter"
              dataKey="y"
              name="Scheduled expiries"
              stroke="#c77700"
              strokeDasharray="5 4"
              dot={false}
              isAnimationActive={false}
            />
            <Scatter data={markerData(data.purchases, unit, scale, 'Purchase')} dataKey="y" name="Purchases" fill="#1f8a4c" shape="triangle" isAnimationActive={false} />
            <Scatter data={markerData(data.expiries, unit, scale, 'Expiry')} dataKey="y" name="Expiries" fill="#c62828" shape="cross" isAnimationActive={false} />
            <Scatter data={markerData(data.upcoming, unit, scale, 'Upcoming expiry')} dataKey="y" name="Upcoming expiries" fill="#c77700" shape="diamond" isAnimationActive={false} />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <div>
        <UpcomingList timeline={data} scale={scale} />
        {data.thinned ? <p className="muted small">The line keeps every step’s highs and lows; entries are thinned for drawing.</p> : null}
      </div>
    </div>
  );
}
