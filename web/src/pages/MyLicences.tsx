import type { Licence } from "../api";
import {
  DotsMenu,
  Empty,
  ErrorState,
  Loading,
  PageHeader,
  UtilisationBar,
  useApi,
} from "../components/common";
import { useCustomerPath, useSession } from "../context";
import { plan, status, when } from "../format";
import { Link, navigate } from "../router";

const REFRESH_SECONDS = 10;

export function MyLicences() {
  const base = useCustomerPath();
  const { canChange } = useSession();
  const licences = useApi<Licence[]>(`${base}/licences`, REFRESH_SECONDS);

  return (
    <>
      <PageHeader title="My Licences">
        <p className="muted">
          Live: refreshed every {REFRESH_SECONDS} seconds from Google Workspace.{" "}
          <Link href="/purchase">Buy a new licence type</Link>
        </p>
      </PageHeader>
      {licences.error && <ErrorState error={licences.error} retry={licences.reload} />}
      {licences.loading && !licences.data && <Loading what="your licences" />}
      {licences.data && licences.data.length === 0 && (
        <Empty>
          <p>No licences yet. They appear here after the first sync with Google Workspace.</p>
          <p>
            <Link href="/purchase">Buy licences</Link>
          </p>
        </Empty>
      )}
      {licences.data && licences.data.length > 0 && (
        <div className="table-wrap">
          <table className="licences">
            <caption className="visually-hidden">Licences by SKU</caption>
            <thead>
              <tr>
                <th scope="col">Licence</th>
                <th scope="col">Plan</th>
                <th scope="col" className="num">
                  Assigned
                </th>
                <th scope="col" className="num">
                  Total
                </th>
                <th scope="col" className="num">
                  Vacant
                </th>
                <th scope="col">Utilisation</th>
                <th scope="col">Status</th>
                <th scope="col">Last updated</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {licences.data.map((licence) => (
                <Row key={licence.skuId} licence={licence} canChange={canChange} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function Row({ licence, canChange }: { licence: Licence; canChange: boolean }) {
  const sku = encodeURIComponent(licence.skuId);
  const active = licence.status === "ACTIVE";
  return (
    <tr data-sku={licence.skuId}>
      <th scope="row">
        <span className="sku-name">{licence.skuName}</span>
        <Badges licence={licence} />
      </th>
      <td>{plan(licence.planName)}</td>
      <td className="num">{licence.assigned}</td>
      <td className="num">{licence.total}</td>
      <td className="num">{licence.vacant}</td>
      <td>
        <UtilisationBar value={licence.utilisation} />
      </td>
      <td>
        <span className={`status status-${licence.status.toLowerCase()}`}>
          {status(licence.status)}
        </span>
      </td>
      <td>
        <time dateTime={licence.updatedAt}>{when(licence.updatedAt)}</time>
      </td>
      <td className="actions">
        <DotsMenu
          label={`Actions for ${licence.skuName}`}
          items={[
            { label: "Settings", onSelect: () => navigate(`/licences/${sku}/settings`) },
            {
              label: "Add Licences",
              onSelect: () => navigate(`/licences/${sku}/add`),
              disabled: !canChange || !active,
            },
            { label: "Reports", onSelect: () => navigate(`/reports?sku=${sku}`) },
            { label: "Logs", onSelect: () => navigate(`/logs?sku=${sku}`) },
          ]}
        />
      </td>
    </tr>
  );
}

function Badges({ licence }: { licence: Licence }) {
  const badges: { text: string; tone: string; title: string }[] = [];
  if (licence.lowLicenceAlert) {
    badges.push({ text: "Low licences", tone: "warn", title: "A low-licence alert was sent" });
  }
  if (licence.topUpInProgress) {
    badges.push({ text: "Adding licences", tone: "info", title: "A top-up is being made now" });
  }
  if (licence.settings.autoTopUp) {
    badges.push({ text: "Auto top-up", tone: "ok", title: licence.settings.description });
  }
  if (licence.settings.lowLicenceAlert) {
    badges.push({ text: "Alerts on", tone: "ok", title: licence.settings.description });
  }
  if (licence.automationPaused) {
    badges.push({
      text: "Top-ups paused",
      tone: "warn",
      title: "Google refused the last top-up; save the settings again to resume",
    });
  }
  if (badges.length === 0) return null;
  return (
    <span className="badges">
      {badges.map((b) => (
        <span key={b.text} className={`badge badge-${b.tone}`} title={b.title}>
          {b.text}
        </span>
      ))}
    </span>
  );
}
