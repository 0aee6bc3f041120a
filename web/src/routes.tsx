// Every page and its address. Customer pages live under /customers/{customerId}; the pages
// themselves write customer-relative paths (router.tsx adds the customer).
import { useParams, type RouteObject } from "react-router";
import { App, PageNotFound, ToChosenCustomer } from "./App";
import { Account } from "./pages/Account";
import { AddLicences } from "./pages/AddLicences";
import { Approvals } from "./pages/Approvals";
import { Logs } from "./pages/Logs";
import { MyLicences } from "./pages/MyLicences";
import { Notifications } from "./pages/Notifications";
import { Prices } from "./pages/Prices";
import { Purchase } from "./pages/Purchase";
import { Reclaim } from "./pages/Reclaim";
import { RenewalPage } from "./pages/Renewal";
import { Reports } from "./pages/Reports";
import { SettingsPage } from "./pages/Settings";

function SkuPage({ page: Page }: { page: (props: { skuId: string }) => React.ReactNode }) {
  const { sku } = useParams();
  return <Page key={sku} skuId={sku ?? ""} />;
}

const customerPages: RouteObject[] = [
  { index: true, element: <MyLicences /> },
  { path: "licences", element: <MyLicences /> },
  { path: "licences/:sku/settings", element: <SkuPage page={SettingsPage} /> },
  { path: "licences/:sku/add", element: <SkuPage page={AddLicences} /> },
  { path: "licences/:sku/renewal", element: <SkuPage page={RenewalPage} /> },
  { path: "purchase", element: <Purchase /> },
  { path: "reclaim", element: <Reclaim /> },
  { path: "reports", element: <Reports /> },
  { path: "logs", element: <Logs /> },
  { path: "notifications", element: <Notifications /> },
  { path: "account", element: <Account /> },
  { path: "*", element: <PageNotFound /> },
];

// Addresses without a customer that name a customer page.
const LEGACY = ["licences", "purchase", "reclaim", "reports", "logs", "notifications"];

export const routes: RouteObject[] = [
  {
    path: "/",
    element: <App />,
    children: [
      { index: true, element: <ToChosenCustomer /> },
      { path: "customers/:customerId", children: customerPages },
      { path: "approvals", element: <Approvals /> },
      { path: "prices", element: <Prices /> },
      ...LEGACY.map((page) => ({ path: `${page}/*`, element: <ToChosenCustomer /> })),
      { path: "*", element: <PageNotFound /> },
    ],
  },
];
