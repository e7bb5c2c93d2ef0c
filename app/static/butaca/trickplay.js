// Trickplay: which thumbnail of the sprite sheets shows a given second (one frame every `interval` seconds, as
// Jellyfin makes them), and the CSS that cuts it out of its sheet.
//
// The config: {url | urls: [...], interval, width, height, columns, rows, count}. One sheet holds columns x rows
// thumbnails of width x height pixels, left to right, then top to bottom; `urls` lists the sheets in order when
// a long film needs more than one.

export function sheets(trickplay) {
  if (!trickplay) return [];
  return trickplay.urls && trickplay.urls.length ? trickplay.urls : trickplay.url ? [trickplay.url] : [];
}

// The tile for `seconds`, or null when there is none (no trickplay, or past the last thumbnail).
export function tileAt(trickplay, seconds) {
  const urls = sheets(trickplay);
  if (!urls.length || !(trickplay.interval > 0) || !(seconds >= 0)) return null;
  const perSheet = trickplay.columns * trickplay.rows;
  const index = Math.min(Math.floor(seconds / trickplay.interval), trickplay.count - 1);
  const sheet = Math.floor(index / perSheet);
  if (index < 0 || sheet >= urls.length) return null;
  const within = index % perSheet;
  return {
    url: urls[sheet],
    x: (within % trickplay.columns) * trickplay.width,
    y: Math.floor(within / trickplay.columns) * trickplay.height,
  };
}

// Inline style for a box showing `tile`, scaled to `boxWidth` pixels wide.
export function tileStyle(trickplay, tile, boxWidth) {
  const scale = boxWidth / trickplay.width;
  return {
    width: `${boxWidth}px`,
    height: `${Math.round(trickplay.height * scale)}px`,
    backgroundImage: `url("${tile.url}")`,
    backgroundSize: `${trickplay.columns * trickplay.width * scale}px ${trickplay.rows * trickplay.height * scale}px`,
    backgroundPosition: `${-tile.x * scale}px ${-tile.y * scale}px`,
  };
}

// Starts loading every sheet, so the first hover already has its picture.
export function preload(trickplay) {
  for (const url of sheets(trickplay)) new Image().src = url;
}
