import { commentThemes, languageOf, THEMES_SHOWN, themeThreshold } from './comment-themes';

const times = (n: number, text: string) => Array.from({ length: n }, () => text);

describe('comment themes', () => {
  it('tells the four languages apart', () => {
    expect(languageOf('Good people, slow process.')).toBe('en');
    expect(languageOf('Buena gente, proceso lento.')).toBe('es');
    expect(languageOf('Nadie me dijo nada durante una semana')).toBe('es');
    expect(languageOf('担当者は親切ですが手続きが遅いです。')).toBe('ja');
    expect(languageOf('パスワード')).toBe('ja');
    expect(languageOf('افراد خوب، روند کند.')).toBe('fa');
  });

  it('counts words and phrases in distinct comments, stop words left out', () => {
    const themes = commentThemes(
      [
        'Good people, slow process.',
        'Slow process again and again, slow slow slow.',
        'The slow process is the problem',
        'Friendly people.',
        'The people were friendly',
        'People are great',
      ],
      3,
    );
    expect(themes).toEqual([
      {
        language: 'en',
        themes: [
          { text: 'people', kind: 'word', comments: 4 },
          { text: 'slow process', kind: 'phrase', comments: 3 },
        ],
      },
    ]);
  });

  it('shows nothing below the threshold', () => {
    const texts = [...times(2, 'printer broken'), 'VPN slow', 'VPN down'];
    expect(commentThemes(texts, 3)).toEqual([]);
    expect(commentThemes(texts, 2)).toEqual([
      {
        language: 'en',
        themes: [
          { text: 'printer broken', kind: 'phrase', comments: 2 },
          { text: 'vpn', kind: 'word', comments: 2 },
        ],
      },
    ]);
  });

  it('never counts one comment twice, however often it repeats a word', () => {
    expect(commentThemes(['slow slow slow slow slow', 'slow'], 3)).toEqual([]);
  });

  it('does not make a phrase across punctuation or a stop word', () => {
    const texts = times(4, 'Slow, process. Slow and process.');
    expect(commentThemes(texts, 3)[0].themes).toEqual([
      { text: 'process', kind: 'word', comments: 4 },
      { text: 'slow', kind: 'word', comments: 4 },
    ]);
  });

  it('folds Spanish accents for counting and shows the most frequent spelling', () => {
    const texts = [
      'La atención fue lenta',
      'Buena atención',
      'atencion rapida, gracias',
      'Mucha atención por su parte',
    ];
    expect(commentThemes(texts, 3)).toEqual([
      { language: 'es', themes: [{ text: 'atención', kind: 'word', comments: 4 }] },
    ]);
  });

  it('segments Japanese with Intl.Segmenter, leaving particles out and joining suffixes', () => {
    const texts = [
      '担当者は親切ですが手続きが遅いです。',
      '担当者の対応が遅い。',
      'パスワードリセットが遅いです',
      'パスワードリセットに三日かかりました。',
      'ﾊﾟｽﾜｰﾄﾞﾘｾｯﾄの手順が分かりにくい',
    ];
    const [ja] = commentThemes(texts, 3);
    expect(ja.language).toBe('ja');
    expect(ja.themes).toEqual([
      { text: 'パスワードリセット', kind: 'phrase', comments: 3 },
      { text: '遅い', kind: 'word', comments: 3 },
    ]);
    expect(commentThemes(texts, 2)[0].themes).toContainEqual({
      text: '担当者',
      kind: 'word',
      comments: 2,
    });
    // No particle, ending or punctuation is ever a theme.
    const all = commentThemes(texts, 1)[0].themes.map((t) => t.text);
    for (const t of ['が', 'は', 'です', 'ですが', 'ました', '。', 'に'])
      expect(all).not.toContain(t);
  });

  it('normalises Persian half-spaces, spaced prefixes and Arabic letters', () => {
    const texts = [
      'می‌خواهم سریع‌تر جواب بدهند',
      'می خواهم سریعتر جواب بدهند',
      'ميخواهم زودتر جواب بدهند',
      'تیکت‌ها بدون پاسخ ماند',
    ];
    const [fa] = commentThemes(texts, 3);
    expect(fa.language).toBe('fa');
    expect(fa.themes).toEqual([
      { text: 'جواب بدهند', kind: 'phrase', comments: 3 },
      { text: 'می‌خواهم', kind: 'word', comments: 3 },
    ]);
    // Persian stop words are no theme.
    const all = commentThemes(texts, 1)[0].themes.map((t) => t.text);
    for (const t of ['و', 'از', 'به', 'را']) expect(all).not.toContain(t);
  });

  it('keeps each language apart, in a fixed order, at most THEMES_SHOWN each', () => {
    const words =
      'printer laptop network screen keyboard mouse server wifi badge desk phone email ticket window'.split(
        ' ',
      );
    expect(words.length).toBeGreaterThan(THEMES_SHOWN);
    const texts = [
      ...times(3, words.join(', ')),
      ...times(3, 'proceso lento, por eso'),
      ...times(3, 'روند کند'),
      ...times(3, '手続きが遅い'),
    ];
    const themes = commentThemes(texts, 3);
    expect(themes.map((t) => t.language)).toEqual(['en', 'es', 'fa', 'ja']);
    expect(themes[0].themes).toHaveLength(THEMES_SHOWN);
    expect(themes[1].themes).toEqual([{ text: 'proceso lento', kind: 'phrase', comments: 3 }]);
    expect(themes[2].themes).toEqual([{ text: 'روند کند', kind: 'phrase', comments: 3 }]);
    expect(themes[3].themes.map((t) => t.text)).toEqual(['手続き', '遅い']);
    for (const language of themes)
      for (const theme of language.themes) expect(theme.comments).toBeGreaterThanOrEqual(3);
  });

  it('never shows numbers or one-letter words', () => {
    expect(commentThemes(times(5, '2 days, x 10 times, 3.5'), 3)).toEqual([
      {
        language: 'en',
        themes: [
          { text: 'days', kind: 'word', comments: 5 },
          { text: 'times', kind: 'word', comments: 5 },
        ],
      },
    ]);
  });

  it('sets the threshold at the comment threshold, never below 3, and 2% of a large period', () => {
    expect(themeThreshold(5, 10)).toBe(5);
    expect(themeThreshold(3, 10)).toBe(3);
    expect(themeThreshold(2, 10)).toBe(3);
    expect(themeThreshold(5, 1000)).toBe(20);
    expect(themeThreshold(5, 251)).toBe(6);
  });
});
