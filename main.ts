import { classicChart } from './examples/classic';
import { App } from 'cdk8s';

const app = new App();
classicChart(app);
app.synth();
