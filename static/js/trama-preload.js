/*
 * Trama: globals read by the Bootstrap Italia bundle. Load this file with a
 * plain <script src> BEFORE bootstrap-italia.bundle.min.js.
 *
 * Our Content-Security-Policy has no 'unsafe-inline' for styles, so any
 * <style> element or style="" attribute the bundle injects is blocked (and
 * reported as a violation). What the bundle does at load time, and why:
 *
 * - video.js (bundled for the VideoPlayer component) inserts a
 *   <style class="vjs-styles-defaults"> into <head> as soon as the bundle is
 *   evaluated, and a <style class="vjs-styles-dimensions"> per player, unless
 *   this flag is true (under our CSP those <style>s would be blocked anyway,
 *   with a violation report on every page). Consequence: a `vjs-fluid` player
 *   gets no computed aspect ratio, so give each <video data-bs-video> an
 *   aspect class that bootstrap-italia.min.css defines, e.g. class="vjs-16-9"
 *   (also vjs-4-3, vjs-9-16, vjs-1-1); otherwise it renders 0 px high.
 */
window.VIDEOJS_NO_DYNAMIC_STYLE = true;

/*
 * Fonts: Bootstrap Italia 2.x does NOT load its fonts by itself; it only
 * exposes bootstrap.loadFonts(path), which injects an inline <style> with
 * @font-face rules (path defaults to window.__PUBLIC_PATH__). There is no
 * flag to turn it off because nothing calls it automatically: simply never
 * call bootstrap.loadFonts(). Fonts come from static/css/fonts.css instead
 * (window.__PUBLIC_PATH__, which loadFonts reads, is deliberately not set).
 */
