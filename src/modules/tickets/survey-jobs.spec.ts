import { randomUUID } from 'node:crypto';
import { surveyJobId } from './survey-jobs';

describe('surveyJobId', () => {
  it('is one UUID per ticket row, stable, of the version 4 layout', () => {
    const id = randomUUID();
    expect(surveyJobId(id)).toBe(surveyJobId(id));
    expect(surveyJobId(id)).not.toBe(surveyJobId(randomUUID()));
    expect(surveyJobId(id)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
