/**
 * Words too common to be a theme, per language of the comments (comment-themes.ts). Written as
 * people write them; they are folded (comment-fold.ts) before use, so accents and Persian
 * half-spaces need not be repeated. Japanese hiragana-only words of one or two characters
 * (particles, endings) are left out by rule; the list below holds the longer function words.
 * Words that are also feedback are not listed: Persian کند is "does" but also "slow".
 */
export const STOP_WORDS: Record<'en' | 'es' | 'fa' | 'ja', string> = {
  en: `a about above after again all also am an and any are as at be because been before being
    below both but by can could did do does doing don’t done down during each even ever every few
    for from get gets got had has have having he her here hers him his how i i’m i’ve if in into is
    isn’t it it’s its just let me more most much my no nor not now of off on once one only or
    other our out over own really same she should so some still such than that that’s the their
    them then there these they this those through to too two under until up us very was wasn’t
    way we were what when where which while who whom why will with would you your yours`,
  es: `a al algo algunas algunos ante antes aquí así aún bien cada como con contra cual cuando de
    del desde donde dos durante e el él ella ellas ellos en entre era eran es esa esas ese eso
    esos esta está están estaba estaban estar este esto estos fue fueron ha había han hasta hay
    he la las le les lo los me mi mí mis mucho muchos muy más nada ni no nos nosotros o os otra
    otras otro otros para pero poco por porque qué que quien quienes se ser si sí sin sobre son
    su sus también tan tanto te tengo tiene ti tu tú tus tuve un una uno unos vez veces y ya yo`,
  fa: `آن آنها از اگر اما او این با باید بار برای بسیار بعد به بود بودند بی پس تا تو چه چون
    خود خیلی دارد داشت در دو را روی که کرد کردم کردند کردیم کنم کنند ما من می نمی نه هر هم
    همان همه هیچ و ولی یا یک است هست نیست شد شده شود بودم باشد`,
  ja: `ありま あります ありました ありません いる います いました おります ください くれ こと これ
    それ あれ この その あの ここ そこ する します しました しない した して そして たい ため
    できる できません です ですが でした でしょう では ない なかった なっ なり なる ので のに
    まし ました ません まで もう もの よう より られ られる れる から けど けれど`,
};
