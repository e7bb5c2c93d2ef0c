// Butaca's connection notice, on every page (app/components/connection.py): a small localized line that says the
// connection dropped, that it is back, or that a clicked link waits for the server; it goes away by itself.
// The behaviour behind it (no reload under a player, links that wait) is in butaca/connection.js.
import { install } from "butaca/connection.js";

const SHOW_LOST_AFTER_MS = 1500; // a blip shorter than this is not worth a word
const HIDE_BACK_AFTER_MS = 2500;

export default {
  template: `
    <div class="bt-connection" role="status" aria-live="polite">
      <div v-if="state" class="bt-connection-pill" :class="state">
        <span class="material-icons" aria-hidden="true">{{ icon }}</span>
        <span class="bt-connection-text">{{ texts[state] }}</span>
      </div>
    </div>`,
  props: {
    texts: Object, // {lost, back, waiting}: localized
    healthUrl: String,
  },
  data() {
    return { state: null };
  },
  computed: {
    icon() {
      return this.state === "back" ? "wifi" : "wifi_off";
    },
  },
  mounted() {
    // NiceGUI creates window.socket in its app's mounted(), which runs right after this child's: one microtask later
    // it is there (or, for a notice added to a page that is already running, it is there now).
    Promise.resolve().then(() => install(window.socket, this, { healthUrl: this.healthUrl }));
  },
  unmounted() {
    clearTimeout(this.timer);
  },
  methods: {
    lost() {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => (this.state = "lost"), SHOW_LOST_AFTER_MS);
    },
    back() {
      clearTimeout(this.timer);
      if (this.state === null) return; // the drop was too short to have been mentioned
      this.state = "back";
      this.timer = setTimeout(() => (this.state = null), HIDE_BACK_AFTER_MS);
    },
    waiting() {
      clearTimeout(this.timer);
      this.state = "waiting";
    },
    detached() {
      // The server is back but no longer knows this page; a player carries on without it: nothing to say.
      clearTimeout(this.timer);
      this.state = null;
    },
  },
};
