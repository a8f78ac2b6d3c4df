// "What drives the score" in the rollups: the contingency table of each release's respondents
// who answered the iNPS question and a scored question. Part of the one source of the rollup
// functions (report-rollups.sql.ts, which applies it), kept apart for its size.

/**
 * The six cells of the driver table, in column order: the iNPS category of the response's one
 * iNPS answer (detractor 0–6, passive 7–8, promoter 9–10) × whether its answer to the scored
 * question is favourable ("top box": 4–5 of a rating, as CSAT counts it; 5–7 of an effort score).
 */
export const DRIVER_CELLS = [
  'detractor_low',
  'detractor_top',
  'passive_low',
  'passive_top',
  'promoter_low',
  'promoter_top',
] as const;
const TOP_BOX = `a.score >= CASE WHEN q.type = 'ces' THEN 5 ELSE 4 END`;
const NPS_BAND: Record<string, string> = {
  detractor: 'b.score <= 6',
  passive: 'b.score BETWEEN 7 AND 8',
  promoter: 'b.score >= 9',
};
const CELL_COUNTS = DRIVER_CELLS.map((cell) => {
  const [band, box] = cell.split('_');
  return `count(*) FILTER (WHERE ${NPS_BAND[band]} AND ${box === 'top' ? '' : 'NOT '}(${TOP_BOX})) AS ${cell}`;
}).join(',\n           ');

/**
 * "What drives the score": per release and scored question (rating, effort), the contingency
 * table of the respondents who answered both it and the iNPS question in the same response —
 * each response paired with ONE iNPS answer (its first iNPS question, DISTINCT ON), people
 * counted as responses — only where at least the survey's k people gave both, so a period's
 * cells are whole releases of at least k pairs each (see driver-report.service.ts).
 */
export const DRIVER_PAIRS = `SELECT r.team_id, r.released_on, r.source, a.question_id, count(DISTINCT r.id) AS n,
           ${CELL_COUNTS}
      FROM report_rollup_keys k
      JOIN response r ON r.team_id = k.team_id AND r.released_on = k.day
      JOIN answer a ON a.response_id = r.id AND a.score IS NOT NULL
      JOIN question q ON q.id = a.question_id AND q.type IN ('rating', 'ces')
      JOIN (SELECT DISTINCT ON (nb.response_id) nb.response_id, nb.score
              FROM report_rollup_keys kb
              JOIN response rb ON rb.team_id = kb.team_id AND rb.released_on = kb.day
              JOIN answer nb ON nb.response_id = rb.id AND nb.score IS NOT NULL
              JOIN question qb ON qb.id = nb.question_id AND qb.type = 'nps'
             ORDER BY nb.response_id, qb.position, qb.id) b ON b.response_id = r.id
      JOIN survey s ON s.id = r.survey_id
     GROUP BY r.survey_id, r.team_id, r.released_on, r.source, a.question_id, s.reporting_threshold
    HAVING count(DISTINCT r.id) >= s.reporting_threshold`;

/** n and the six cells, as the driver tables name them; and their sums over `alias`. */
export const DRIVER_COLUMNS = ['n', ...DRIVER_CELLS].join(', ');
export const SUM_DRIVER_COLUMNS = (alias: string) =>
  ['n', ...DRIVER_CELLS].map((c) => `sum(${alias}.${c})`).join(', ');
