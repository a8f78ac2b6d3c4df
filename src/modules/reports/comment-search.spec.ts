import { fold } from './comment-fold';
import { highlight, searchComments, searchKey } from './comment-search';

describe('comment search', () => {
  const comments = [
    'La atención fue rápida y amable.',
    'Atencion lenta, pero resolvieron el problema.',
    'The VPN drops every morning.',
    'ＶＰＮが繋がらない日が多いです。',
    'ﾊﾟｽﾜｰﾄﾞのリセットに三日かかりました。',
    'パスワードリセットが遅い',
    'می‌خواهم سریع‌تر جواب بدهند.',
    'می خواهم کسی پیگیری کند.',
    'ميخواهم بدانم چه شد.',
    'Nobody told me what was happening.',
  ];

  it('ignores case and accents', () => {
    expect(searchComments(comments, 'ATENCIÓN')).toEqual(comments.slice(0, 2));
    expect(searchComments(comments, 'atencion')).toEqual(comments.slice(0, 2));
    expect(searchComments(comments, 'rapida')).toEqual([comments[0]]);
    expect(searchComments(comments, 'nobody TOLD')).toEqual([comments[9]]);
  });

  it('ignores full- and half-width forms', () => {
    expect(searchComments(comments, 'vpn')).toEqual([comments[2], comments[3]]);
    expect(searchComments(comments, 'ＶＰＮ')).toEqual([comments[2], comments[3]]);
    expect(searchComments(comments, 'パスワード')).toEqual([comments[4], comments[5]]);
  });

  it('finds Japanese inside its words, written without spaces', () => {
    expect(searchComments(comments, 'リセット')).toEqual([comments[4], comments[5]]);
    expect(searchComments(comments, '繋が')).toEqual([comments[3]]);
    // Voiced marks are not accents: か is not が.
    expect(searchComments(comments, 'かかり')).toEqual([comments[4]]);
    expect(searchComments(comments, 'がかり')).toEqual([]);
  });

  it('reads a Persian half-space, a space after می and Arabic letters as one word', () => {
    expect(searchComments(comments, 'میخواهم')).toEqual(comments.slice(6, 9));
    expect(searchComments(comments, 'می‌خواهم')).toEqual(comments.slice(6, 9));
    expect(searchComments(comments, 'می خواهم')).toEqual(comments.slice(6, 9));
    expect(searchComments(comments, 'سریعتر')).toEqual([comments[6]]);
  });

  it('looks for nothing when the query is empty or only spaces', () => {
    expect(searchKey('   ')).toBe('');
    expect(searchComments(comments, '  ')).toEqual([]);
    expect(searchComments(comments, '')).toEqual([]);
  });

  it('folds Persian and Arabic digits, apostrophes and runs of spaces', () => {
    expect(fold('۳ روز')).toBe('3 روز');
    expect(fold('٣')).toBe('3');
    expect(fold('Don’t   wait')).toBe("don't wait");
    expect(fold('  كتاب ها  ')).toBe('کتابها');
  });

  it('marks the match in the text as written', () => {
    expect(highlight('La atención fue rápida.', 'ATENCION')).toEqual([
      { text: 'La ', match: false },
      { text: 'atención', match: true },
      { text: ' fue rápida.', match: false },
    ]);
    expect(highlight('ＶＰＮが繋がらない', 'vpn')).toEqual([
      { text: 'ＶＰＮ', match: true },
      { text: 'が繋がらない', match: false },
    ]);
    expect(highlight('Slow, slow process', 'slow')).toEqual([
      { text: 'Slow', match: true },
      { text: ', ', match: false },
      { text: 'slow', match: true },
      { text: ' process', match: false },
    ]);
    expect(highlight('می خواهم بدانم', 'میخواهم')).toEqual([
      { text: 'می خواهم', match: true },
      { text: ' بدانم', match: false },
    ]);
    // Decomposed accents and emoji keep their place.
    expect(highlight('😀 cafe\u0301 ok', 'CAFÉ')).toEqual([
      { text: '😀 ', match: false },
      { text: 'cafe\u0301', match: true },
      { text: ' ok', match: false },
    ]);
    expect(highlight('nothing here', 'vpn')).toEqual([{ text: 'nothing here', match: false }]);
  });
});
