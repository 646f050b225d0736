/** The application shell. Screens arrive with the renderer issue. */
export function App() {
  return (
    <main>
      <h1>Cohort Relay</h1>
      <p>Keeps TikTok Ads custom audiences in step with your cohort CSV files.</p>
    </main>
  );
}
