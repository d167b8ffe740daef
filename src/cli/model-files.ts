// The --backend option of the model commands. Loading a model and predicting boxes is
// train/predict.ts, imported lazily so that commands that never touch a model stay fast to start.
import { choiceOption, type OptionSpec, type OptionValues } from './command.js';
import { BACKEND_CHOICES, type BackendChoice } from '../train/backend/selection/choices.js';

export const BACKEND_OPTION: OptionSpec = { type: 'string', value: 'B', description: `tfjs backend: ${BACKEND_CHOICES.join(', ')}`, defaultText: 'auto' };

/** The --backend option; an unknown name is a usage error naming the choices. */
export function backendOption(values: OptionValues): BackendChoice | undefined {
  return choiceOption(values, 'backend', BACKEND_CHOICES);
}
