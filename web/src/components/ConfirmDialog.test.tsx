import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { ConfirmDialog, nextFocus } from "./ConfirmDialog";

describe("nextFocus", () => {
  it("goes round the dialog's buttons both ways, never out", () => {
    expect(nextFocus(0, 2, false)).toBe(1);
    expect(nextFocus(1, 2, false)).toBe(0);
    expect(nextFocus(0, 2, true)).toBe(1);
    expect(nextFocus(-1, 3, false)).toBe(0);
    expect(nextFocus(-1, 3, true)).toBe(2);
    expect(nextFocus(0, 0, false)).toBe(-1);
  });
});

function Opener({ onConfirm }: { onConfirm: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Send again
      </button>
      {open && (
        <ConfirmDialog title="Send this email again?" confirmLabel="Yes, send" onConfirm={onConfirm} onCancel={() => setOpen(false)}>
          <p>It may arrive twice.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

describe("ConfirmDialog", () => {
  it("is a labelled modal that starts on Cancel, keeps Tab inside, and Escape closes it", () => {
    const confirm = vi.fn();
    render(<Opener onConfirm={confirm} />);
    const opener = screen.getByRole("button", { name: "Send again" });
    opener.focus();
    fireEvent.click(opener);
    const dialog = screen.getByRole("alertdialog", { name: "Send this email again?" });
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(dialog.textContent).toContain("It may arrive twice.");
    const cancel = screen.getByRole("button", { name: "Cancel" });
    expect(document.activeElement).toBe(cancel);
    fireEvent.keyDown(cancel, { key: "Tab" });
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Yes, send" }));
    fireEvent.keyDown(document.activeElement as Element, { key: "Tab" });
    expect(document.activeElement).toBe(cancel);
    fireEvent.keyDown(cancel, { key: "Escape" });
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(document.activeElement).toBe(opener);
    expect(confirm).not.toHaveBeenCalled();
  });
});
