/** Inline SVG icons (24x24, stroked with currentColor). Drawn for this app. */

const svg = (body: string, extra = ''): string =>
  `<svg viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false"${extra}>${body}</svg>`;

const micBody = '<rect x="9" y="2.5" width="6" height="11.5" rx="3"/><path d="M5.5 11a6.5 6.5 0 0 0 13 0"/><path d="M12 17.5V21"/><path d="M8.5 21h7"/>';
const camBody = '<rect x="2.5" y="6" width="13" height="12" rx="2.5"/><path d="M15.5 10.2 21.5 7v10l-6-3.2"/>';
const slash = '<path d="M3 3l18 18"/>';

export const icons = {
  mic: svg(micBody),
  micOff: svg(`<path d="M15 9.5V5.5a3 3 0 0 0-5.6-1.5"/><path d="M9 9v2a3 3 0 0 0 4.9 2.3"/><path d="M18.5 11a6.5 6.5 0 0 1-.9 3.3"/><path d="M5.5 11a6.5 6.5 0 0 0 10.3 5.3"/><path d="M12 17.5V21"/><path d="M8.5 21h7"/>${slash}`),
  cam: svg(camBody),
  camOff: svg(`<path d="M9 6h4a2.5 2.5 0 0 1 2.5 2.5v2"/><path d="M15.5 10.2 21.5 7v10l-3.3-1.8"/><path d="M15.5 15.5A2.5 2.5 0 0 1 13 18H5a2.5 2.5 0 0 1-2.5-2.5v-7A2.5 2.5 0 0 1 5 6"/>${slash}`),
  screen: svg('<rect x="2.5" y="4" width="19" height="13" rx="2"/><path d="M8 21h8"/><path d="M12 17v4"/><path d="M12 13.5v-6"/><path d="M9.2 10 12 7.2 14.8 10"/>'),
  screenStop: svg('<rect x="2.5" y="4" width="19" height="13" rx="2"/><path d="M8 21h8"/><path d="M12 17v4"/><path d="M9.5 8l5 5"/><path d="M14.5 8l-5 5"/>'),
  leave: svg('<path d="M2.6 13.7c5.3-4.9 13.5-4.9 18.8 0a1.2 1.2 0 0 1 0 1.7l-1.9 1.9a1.1 1.1 0 0 1-1.5.1l-2.3-1.7a1.1 1.1 0 0 1-.4-1v-1.6a12 12 0 0 0-6.6 0v1.6a1.1 1.1 0 0 1-.4 1l-2.3 1.7a1.1 1.1 0 0 1-1.5-.1l-1.9-1.9a1.2 1.2 0 0 1 0-1.7z" fill="currentColor" stroke="none"/>'),
  users: svg('<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20c.8-3.6 3.3-5.5 6.5-5.5s5.7 1.9 6.5 5.5"/><path d="M15.5 4.8a3.2 3.2 0 0 1 0 6.2"/><path d="M17.5 14.6c2.1.5 3.4 2.3 4 5.4"/>'),
  settings: svg('<path d="M4 6h9"/><path d="M17 6h3"/><circle cx="15" cy="6" r="2"/><path d="M4 12h3"/><path d="M11 12h9"/><circle cx="9" cy="12" r="2"/><path d="M4 18h11"/><path d="M19 18h1"/><circle cx="17" cy="18" r="2"/>'),
  link: svg('<path d="M10 13.5a4 4 0 0 0 5.7.3l3-3a4 4 0 0 0-5.7-5.7l-1.2 1.2"/><path d="M14 10.5a4 4 0 0 0-5.7-.3l-3 3a4 4 0 0 0 5.7 5.7l1.2-1.2"/>'),
  check: svg('<path d="M5 12.5 10 17.5 19 7"/>'),
  close: svg('<path d="M6 6l12 12"/><path d="M18 6 6 18"/>'),
  alert: svg('<path d="M10.3 3.9 2.4 17.8A2 2 0 0 0 4.1 21h15.8a2 2 0 0 0 1.7-3.2L13.7 3.9a2 2 0 0 0-3.4 0z"/><path d="M12 9.5v4"/><path d="M12 17.2v.1"/>'),
  speaker: svg('<path d="M4 9.5h3.5L12 5.5v13l-4.5-4H4z"/><path d="M15.5 9a4.5 4.5 0 0 1 0 6"/><path d="M18.3 6.3a8.3 8.3 0 0 1 0 11.4"/>'),
  wifiOff: svg('<path d="M3 3l18 18"/><path d="M8.5 16.4a5 5 0 0 1 6.4-.3"/><path d="M5 12.9a10 10 0 0 1 4.4-2.4"/><path d="M14.2 10.4A10 10 0 0 1 19 12.9"/><path d="M2 9.3a15 15 0 0 1 4-2.5"/><path d="M10.7 5.6A15 15 0 0 1 22 9.3"/><path d="M12 20h.01"/>'),
  present: svg('<rect x="3" y="4" width="18" height="12" rx="2"/><path d="M12 16v4"/><path d="M8 20h8"/>'),
  door: svg('<path d="M10 4H6.5A1.5 1.5 0 0 0 5 5.5v13A1.5 1.5 0 0 0 6.5 20H10"/><path d="M15.5 16.5 20 12l-4.5-4.5"/><path d="M20 12H9.5"/>'),
  record: svg('<circle cx="12" cy="12" r="8.5"/><circle cx="12" cy="12" r="4" fill="currentColor" stroke="none"/>'),
  recordStop: svg('<circle cx="12" cy="12" r="8.5"/><rect x="8.6" y="8.6" width="6.8" height="6.8" rx="1.2" fill="currentColor" stroke="none"/>'),
  broadcast: svg('<circle cx="12" cy="12" r="2"/><path d="M15.8 8.2a5.4 5.4 0 0 1 0 7.6"/><path d="M8.2 15.8a5.4 5.4 0 0 1 0-7.6"/><path d="M18.7 5.3a9.5 9.5 0 0 1 0 13.4"/><path d="M5.3 18.7a9.5 9.5 0 0 1 0-13.4"/>'),
  download: svg('<path d="M12 4v11"/><path d="m7 10.5 5 5 5-5"/><path d="M5 20h14"/>'),
  user: svg('<circle cx="12" cy="8.5" r="4"/><path d="M4.5 20.5c1-4 4-6 7.5-6s6.5 2 7.5 6"/>'),
  logo: `<svg viewBox="0 0 32 32" width="32" height="32" aria-hidden="true" focusable="false"><defs><linearGradient id="pl-g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#7aa2ff"/><stop offset="1" stop-color="#4f6bff"/></linearGradient></defs><rect width="32" height="32" rx="9" fill="url(#pl-g)"/><path d="M9 10.5A2.5 2.5 0 0 1 11.5 8h9A2.5 2.5 0 0 1 23 10.5v6a2.5 2.5 0 0 1-2.5 2.5H15l-4.2 3.6c-.5.4-1.3 0-1.3-.6V19A2.5 2.5 0 0 1 9 16.5z" fill="#fff"/><circle cx="13" cy="13.5" r="1.3" fill="#4f6bff"/><circle cx="16" cy="13.5" r="1.3" fill="#4f6bff"/><circle cx="19" cy="13.5" r="1.3" fill="#4f6bff"/></svg>`,
} as const;

export type IconName = keyof typeof icons;
