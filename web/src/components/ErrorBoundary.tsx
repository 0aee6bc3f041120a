import { Component, type ErrorInfo, type ReactNode } from "react";

type Props = { children: ReactNode; where: string };
type State = { error: Error | null };

// A page that throws while rendering shows this panel instead of blanking the whole app; the
// shell (navigation, customer, sign-out) stays usable. The shell keys it by page, so going to
// another page starts afresh.
export class ErrorBoundary extends Component<Props, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    // Kept in the browser console for whoever investigates; the user sees the panel.
    console.warn(`Licence Manager: ${this.props.where} failed to show`, error, info.componentStack);
  }

  render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <div className="state state-error" role="alert">
        <h1>This page could not be shown</h1>
        <p>
          Something unexpected went wrong while showing {this.props.where}. Nothing you saved or
          asked for is lost. Try again, or go to another page from the menu.
        </p>
        <p className="muted">Details: {this.state.error.message}</p>
        <button type="button" className="button secondary" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
