import { useState } from "react";
import { ApiError, download as downloadFile } from "../../api";

// A "Download CSV" button: fetches with the signed-in user's token, says when it is busy and
// why it failed, next to the button.
export function DownloadButton({ path, filename, label }: { path: string; filename: string; label: string }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function download() {
    setBusy(true);
    setProblem(null);
    try {
      await downloadFile(path, filename);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.message : "The download failed. Try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <span className="download">
      <button type="button" className="button secondary" aria-label={label} disabled={busy} onClick={download}>
        {busy ? "Preparing…" : "Download CSV"}
      </button>
      {problem && (
        <span className="field-error" role="alert">
          {problem}
        </span>
      )}
    </span>
  );
}
