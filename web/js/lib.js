// The component library, as one import: Preact + hooks with htm tagged templates (no build step).
import { h, render, createContext, Fragment } from '../vendor/preact.js';
import htm from '../vendor/htm.js';

export { h, render, createContext, Fragment };
export { useState, useEffect, useRef, useMemo, useCallback, useContext, useReducer } from '../vendor/hooks.js';
export const html = htm.bind(h);
