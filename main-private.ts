import { privateTutorialChart } from './examples/private-tutorial';
import { App } from 'cdk8s';

// The second tutorial (release `private`, ClusterIP): `npm run synth:private` writes dist-private/.
const app = new App();
privateTutorialChart(app);
app.synth();
