import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DotsMenu } from "./DotsMenu";

afterEach(cleanup);

function renderMenu() {
  const chosen = vi.fn();
  const { container } = render(
    <div className="table-wrap">
      <DotsMenu
        label="Actions for Business Starter"
        items={[
          { label: "Settings", onSelect: () => chosen("Settings") },
          {
            label: "Add Licences",
            onSelect: () => chosen("Add"),
            disabled: true,
            why: "Only the customer's admin can add licences",
          },
          { label: "Reports", onSelect: () => chosen("Reports") },
          { label: "Logs", onSelect: () => chosen("Logs") },
        ]}
      />
    </div>,
  );
  return { chosen, container, button: screen.getByRole("button", { name: "Actions for Business Starter" }) };
}

describe("the three-dot menu", () => {
  it("says why an item cannot be chosen", () => {
    const { button } = renderMenu();
    fireEvent.click(button);
    const add = screen.getByRole("menuitem", { name: /Add Licences/ });
    expect(add.hasAttribute("disabled")).toBe(true);
    expect(add.textContent).toBe("Add LicencesOnly the customer's admin can add licences");
    expect(screen.getByRole("menuitem", { name: "Settings" }).textContent).toBe("Settings");
  });

  it("opens outside the scrolling box, in document.body, with the first item focused", () => {
    const { container, button } = renderMenu();
    expect(button.getAttribute("aria-controls")).toBeNull();
    fireEvent.click(button);
    const menu = screen.getByRole("menu");
    expect(container.contains(menu)).toBe(false);
    expect(menu.parentElement).toBe(document.body);
    expect(button.getAttribute("aria-expanded")).toBe("true");
    expect(button.getAttribute("aria-controls")).toBe(menu.id);
    expect(document.activeElement).toBe(screen.getByRole("menuitem", { name: "Settings" }));
  });

  it("moves with the arrows, Home and End, skipping what is disabled; Escape returns to the button", () => {
    const { button } = renderMenu();
    fireEvent.keyDown(button, { key: "ArrowDown" });
    const menu = screen.getByRole("menu");
    const focused = () => (document.activeElement as HTMLElement).textContent;
    fireEvent.keyDown(menu, { key: "ArrowDown" });
    expect(focused()).toBe("Reports");
    fireEvent.keyDown(menu, { key: "End" });
    expect(focused()).toBe("Logs");
    fireEvent.keyDown(menu, { key: "ArrowDown" });
    expect(focused()).toBe("Settings");
    fireEvent.keyDown(menu, { key: "ArrowUp" });
    expect(focused()).toBe("Logs");
    fireEvent.keyDown(menu, { key: "Home" });
    expect(focused()).toBe("Settings");
    fireEvent.keyDown(menu, { key: "Escape" });
    expect(screen.queryByRole("menu")).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it("closes on Tab (focus carries on from its button), on scroll, and when an item is chosen", () => {
    const { button, chosen } = renderMenu();
    fireEvent.click(button);
    fireEvent.keyDown(screen.getByRole("menu"), { key: "Tab" });
    expect(screen.queryByRole("menu")).toBeNull();
    expect(document.activeElement).toBe(button);
    fireEvent.click(button);
    fireEvent.scroll(window);
    expect(screen.queryByRole("menu")).toBeNull();
    fireEvent.click(button);
    fireEvent.click(screen.getByRole("menuitem", { name: "Reports" }));
    expect(chosen).toHaveBeenCalledWith("Reports");
    expect(screen.queryByRole("menu")).toBeNull();
  });
});
