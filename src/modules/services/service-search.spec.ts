import { fold, searchTeams } from './service-search';

const team = (id: string, handles: string, excludes = '') => ({ id, handles, excludes });

describe('searching purposes', () => {
  it('matches case-insensitively, and says where something is not handled', () => {
    const teams = [
      team('it', 'Laptops, phones, accounts', 'Payslips and holidays'),
      team('hr', 'Payslips, contracts, holidays'),
    ];
    expect(searchTeams(teams, 'LAPTOP').handled.map((t) => t.id)).toEqual(['it']);
    const payslip = searchTeams(teams, 'payslip');
    expect(payslip.handled.map((t) => t.id)).toEqual(['hr']);
    expect(payslip.notHandled.map((t) => t.id)).toEqual(['it']);
  });

  it('ignores Spanish accents on either side', () => {
    const teams = [team('hr', 'Nóminas y contratos')];
    expect(searchTeams(teams, 'nomina').handled).toHaveLength(1);
    expect(searchTeams(teams, 'NÓMINA').handled).toHaveLength(1);
  });

  it('finds Japanese substrings without word boundaries, full-width folded', () => {
    const teams = [team('it', 'ノートＰＣやスマートフォンの貸し出し')];
    expect(searchTeams(teams, 'スマート').handled).toHaveLength(1);
    expect(searchTeams(teams, 'pc').handled).toHaveLength(1);
    // Half-width katakana is the same word.
    expect(searchTeams(teams, 'ｽﾏｰﾄ').handled).toHaveLength(1);
    // Voicing marks are letters, not accents: ガ is not カ.
    expect(fold('ガ')).not.toBe(fold('カ'));
  });

  it('unifies Arabic and Persian letter forms', () => {
    const teams = [team('it', 'لپ‌تاپ و کیف پول')];
    expect(searchTeams(teams, 'كيف').handled).toHaveLength(1);
  });

  it('treats LIKE wildcards and regex characters as plain text', () => {
    const teams = [team('a', 'Printers'), team('b', '100% uptime (.*)')];
    expect(searchTeams(teams, '%').handled.map((t) => t.id)).toEqual(['b']);
    expect(searchTeams(teams, '_').handled).toEqual([]);
    expect(searchTeams(teams, '.*').handled.map((t) => t.id)).toEqual(['b']);
    expect(searchTeams(teams, '   ').handled).toEqual([]);
  });
});
