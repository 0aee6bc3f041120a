import { useEffect, useId, useLayoutEffect, useRef, useState } from "react";
import { createPortal } from "react-dom";

// `why`: said under a disabled item, so nobody has to guess why it cannot be chosen.
export type MenuItem = { label: string; onSelect: () => void; disabled?: boolean; why?: string };

const GAP = 4; // px between the button and the menu, and the least from the window's edge

// Where the open menu goes, in the window's coordinates: under the button, right-aligned with
// it, or above it when there is no room below (the last rows of a table); always on screen.
export function placeMenu(
  button: { top: number; bottom: number; right: number },
  menu: { width: number; height: number },
  viewport: { width: number; height: number },
): { top: number; left: number; up: boolean } {
  const below = viewport.height - button.bottom - GAP;
  const above = button.top - GAP;
  const up = menu.height > below && above > below;
  const top = up ? Math.max(GAP, button.top - GAP - menu.height) : button.bottom + GAP;
  const left = Math.min(Math.max(GAP, button.right - menu.width), viewport.width - menu.width - GAP);
  return { top, left: Math.max(GAP, left), up };
}

// A menu button (WAI-ARIA menu button pattern): Enter/Space/Down opens it, arrows, Home and End
// move, Escape closes and returns focus to the button, Tab closes and moves on from the button.
// The menu is drawn in document.body, fixed to the window, so no scrolling box (a table's) can
// clip it or be scrolled by it; it closes when anything scrolls or the window is resized,
// rather than drift away from its button.
export function DotsMenu({ label, items }: { label: string; items: MenuItem[] }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLUListElement>(null);

  useLayoutEffect(() => {
    const menu = list.current;
    const anchor = button.current;
    if (!open || !menu || !anchor) return;
    const place = placeMenu(
      anchor.getBoundingClientRect(),
      { width: menu.offsetWidth, height: menu.offsetHeight },
      { width: document.documentElement.clientWidth, height: window.innerHeight },
    );
    menu.style.top = `${place.top}px`;
    menu.style.left = `${place.left}px`;
    menu.dataset.placement = place.up ? "above" : "below";
    menu.querySelector<HTMLButtonElement>("button:not([disabled])")?.focus({ preventScroll: true });
  }, [open]);

  useEffect(() => {
    if (!open) return;
    function away(event: MouseEvent) {
      const target = event.target as Node;
      if (!list.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    }
    function moved(event: Event) {
      if (event.target instanceof Node && list.current?.contains(event.target)) return;
      const hadFocus = list.current?.contains(document.activeElement) ?? false;
      setOpen(false);
      if (hadFocus) button.current?.focus({ preventScroll: true });
    }
    document.addEventListener("mousedown", away);
    window.addEventListener("scroll", moved, true);
    window.addEventListener("resize", moved);
    return () => {
      document.removeEventListener("mousedown", away);
      window.removeEventListener("scroll", moved, true);
      window.removeEventListener("resize", moved);
    };
  }, [open]);

  function keys(event: React.KeyboardEvent) {
    const buttons = Array.from(
      list.current?.querySelectorAll<HTMLButtonElement>("button:not([disabled])") ?? [],
    );
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const go = (index: number) => {
      event.preventDefault();
      buttons[(index + buttons.length) % buttons.length]?.focus();
    };
    if (event.key === "Escape") {
      event.preventDefault();
      setOpen(false);
      button.current?.focus();
    } else if (event.key === "ArrowDown") go(at + 1);
    else if (event.key === "ArrowUp") go(at - 1);
    else if (event.key === "Home") go(0);
    else if (event.key === "End") go(buttons.length - 1);
    else if (event.key === "Tab") {
      // The menu lives at the end of the page: Tab carries on from its button instead.
      setOpen(false);
      button.current?.focus();
    }
  }

  return (
    <div className="menu">
      <button
        ref={button}
        type="button"
        className="dots"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        <span aria-hidden="true">⋮</span>
      </button>
      {open &&
        createPortal(
          <ul className="menu-list" role="menu" id={id} aria-label={label} ref={list} onKeyDown={keys}>
            {items.map((item) => (
              <li role="none" key={item.label}>
                <button
                  type="button"
                  role="menuitem"
                  disabled={item.disabled}
                  onClick={() => {
                    setOpen(false);
                    item.onSelect();
                  }}
                >
                  {item.label}
                  {item.disabled && item.why && <span className="menu-why">{item.why}</span>}
                </button>
              </li>
            ))}
          </ul>,
          document.body,
        )}
    </div>
  );
}
