// What make bench-ui and the browser tests read of the page: when it became
// interactive, how long each proposal change took to redraw, when each step
// of the first load ended (ms after navigation), and the map itself.
export const probe = (window.netpolUI = { redraws: [], readyAt: 0, cy: null, marks: {}, draw: null });
export const mark = (name) => { if (!probe.marks[name]) probe.marks[name] = Math.round(performance.now()); };
