import type { DriverReport } from './driver-report.service';

/**
 * The driver analysis ready for views/partials/drivers.hbs: the report as the API gives it, the
 * rows of its table by status (shown, or withheld alike), and the ranked bars for public/drivers.js (shown items only: a
 * withheld item has no number to draw).
 */
export function driverView(report: DriverReport) {
  const shown = report.items.filter((i) => i.status === 'shown');
  return {
    ...report,
    shown,
    tooFew: report.items.filter((i) => i.status === 'too-few'),
    chart:
      shown.length === 0
        ? null
        : {
            labels: shown.map((i) => i.text),
            values: shown.map((i) => i.correlation),
            focus: shown.map((i) => i.focus),
          },
  };
}
