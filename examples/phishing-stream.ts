/**
 * Prequential ("test, then train") learning on a real stream: the 1,250 rows of River's Phishing
 * dataset, read from the CSV file one line at a time. For each row, in file order, the model
 * predicts, the metrics score the prediction, and only then does the model learn from the row.
 *
 * Two models see the same stream:
 * - River's own quickstart model, `StandardScaler | LogisticRegression()` (SGD lr 0.01, intercept lr
 *   0.01, zero init), rebuilt as an rxgrad graph: it reproduces River's published accuracy, 0.8928;
 * - a small MLP (standardised inputs, one hidden layer of 16, Adam).
 *
 *   npx tsx examples/phishing-stream.ts [path/to/phishing.csv]
 *
 * The data file lives outside the repository (../shared/data/phishing.csv); without it the example
 * says so and exits 0.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Observable, lastValueFrom, take, tap } from 'rxjs';
import {
  type Node, type Optimizer, type Sample, type Step, StandardScaler, accuracy, adam, add, bceWithLogits, f1, input, learn, matmul, mlp, param,
  readCsv, rocAuc, sgd, sigmoid, standardize, tabular, tensor, zeros,
} from '../src/index.js';

/** Where the data lives: next to the repository, in shared/data. */
export const PHISHING_CSV = fileURLToPath(new URL('../../shared/data/phishing.csv', import.meta.url));

const FEATURES = [
  'empty_server_form_handler', 'popup_window', 'https', 'request_from_other_domain', 'anchor_from_other_domain',
  'is_popular', 'long_url', 'age_of_domain', 'ip_in_url',
];

/** River's published progressive-validation accuracy of StandardScaler | LogisticRegression() on Phishing. */
export const RIVER_ACCURACY = 0.8928;
/** …and its ROC AUC (River's approximate ROCAUC, from the `progressive_val_score` docstring). */
export const RIVER_ROC_AUC = 0.9507;

export interface Scores {
  rows: number;
  accuracy: number;
  f1: number;
  rocAuc: number;
}

export interface PhishingResult {
  logistic: Scores;
  mlp: Scores;
}

/** The CSV as samples `{ x: Float64Array(9), y: 0 | 1 }`, read as the consumer takes them. */
function rows(path: string, limit: number): Observable<Sample> {
  return tabular(readCsv(path, { columns: true, numeric: true }), { features: FEATURES, target: 'is_phishing' }).pipe(take(limit));
}

/** Runs one model over the stream prequentially, logging the metrics every `every` rows. */
async function prequential(
  name: string, samples: Observable<Sample>, model: { x: Node; y: Node; logit: Node; optimizer: Optimizer },
  every: number, log: (line: string) => void,
): Promise<Scores> {
  const { x, y, logit, optimizer } = model;
  const last: Step = await lastValueFrom(
    samples.pipe(
      learn({
        inputs: [x, y],
        feed: (s) => [tensor(s.x), [s.y]],
        loss: bceWithLogits(logit, y),
        optimizer,
        prediction: logit.pipe(sigmoid()),
        target: (s) => s.y,
        metrics: { accuracy: accuracy(), f1: f1(), rocAuc: rocAuc() },
      }),
      tap((step) => {
        if ((step.tick + 1) % every === 0) log(`${name.padEnd(20)} row ${String(step.tick + 1).padStart(5)}   ${format(step.metrics)}`);
      }),
    ),
  );
  return { rows: last.tick + 1, accuracy: last.metrics.accuracy!, f1: last.metrics.f1!, rocAuc: last.metrics.rocAuc! };
}

function format(m: Readonly<Record<string, number>>): string {
  return `accuracy ${m.accuracy!.toFixed(4)}   F1 ${m.f1!.toFixed(4)}   ROC AUC ${m.rocAuc!.toFixed(4)}`;
}

/** River's StandardScaler | LogisticRegression(): zero init, SGD(0.01) on the weights, 0.01 on the intercept. */
function logisticRegression() {
  const x = input([FEATURES.length]), y = input([1]);
  const w = param(zeros([FEATURES.length, 1])), b = param(zeros([1]));
  const logit = x.pipe(standardize(new StandardScaler()), matmul(w), add(b));
  return { x, y, logit, optimizer: sgd({ lr: 0.01, groups: [{ params: [b], lr: 0.01 }] }) };
}

function smallMlp() {
  const x = input([FEATURES.length]), y = input([1]);
  const logit = x.pipe(standardize(new StandardScaler()), mlp([FEATURES.length, 16, 1], { activation: 'tanh', seed: 0 }));
  return { x, y, logit, optimizer: adam({ lr: 0.005 }) };
}

/**
 * Learns the Phishing stream with both models. Returns null (after saying why) when the file is
 * missing. `steps` limits the rows read (default: all of them).
 */
export async function main(
  { steps = Infinity, log = console.log, path = PHISHING_CSV }: { steps?: number; log?: (line: string) => void; path?: string } = {},
): Promise<PhishingResult | null> {
  if (!existsSync(path)) {
    log(`phishing-stream: the data file ${path} is not there, so there is nothing to learn from.`);
    log('It is River\'s Phishing dataset (1,250 rows); pass its path as the first argument to use a copy elsewhere.');
    return null;
  }
  const every = Number.isFinite(steps) ? Math.max(1, Math.floor(steps / 5)) : 250;
  const logistic = await prequential('logistic regression', rows(path, steps), logisticRegression(), every, log);
  log('');
  const net = await prequential('MLP 9-16-1', rows(path, steps), smallMlp(), every, log);
  log('');
  log(`River, StandardScaler | LogisticRegression() (published): accuracy ${RIVER_ACCURACY}   ROC AUC ${RIVER_ROC_AUC}`);
  log(`rxgrad, the same model:                                   accuracy ${logistic.accuracy.toFixed(4)}   ROC AUC ${logistic.rocAuc.toFixed(4)}   (${logistic.rows} rows)`);
  log(`rxgrad, MLP 9-16-1 with Adam:                             accuracy ${net.accuracy.toFixed(4)}   ROC AUC ${net.rocAuc.toFixed(4)}`);
  return { logistic, mlp: net };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await main(process.argv[2] === undefined ? {} : { path: process.argv[2] });
  if (result !== null && (result.logistic.accuracy < 0.85 || result.mlp.accuracy < 0.85)) {
    console.error(`a model did not learn: accuracy ${result.logistic.accuracy} (logistic), ${result.mlp.accuracy} (MLP); expected about ${RIVER_ACCURACY}`);
    process.exitCode = 1;
  }
}
