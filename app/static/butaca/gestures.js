// Touch gestures over the video: one tap shows or hides the overlay, a double tap on the left or right half
// skips 10 s. A single tap has to wait a moment to know it is not the first of two.

const DOUBLE_TAP_MS = 300; // as phones count a double tap

export function touchTaps({ onTap, onDoubleTap }) {
  let pending = null; // the timer of a tap that may still become a double tap
  let last = { at: 0, side: null };

  return function handle(event) {
    const box = event.currentTarget.getBoundingClientRect();
    const side = event.clientX - box.left < box.width / 2 ? "left" : "right";
    const now = event.timeStamp;
    if (pending && now - last.at < DOUBLE_TAP_MS && side === last.side) {
      clearTimeout(pending);
      pending = null;
      last = { at: 0, side: null };
      onDoubleTap(side);
      return;
    }
    last = { at: now, side };
    clearTimeout(pending);
    pending = setTimeout(() => {
      pending = null;
      onTap();
    }, DOUBLE_TAP_MS);
  };
}
