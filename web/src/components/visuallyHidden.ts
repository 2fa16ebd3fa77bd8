import type { GriffelStyle } from '@fluentui/react-components';

/** Text for screen readers only: in the accessibility tree, not on the screen. */
export const visuallyHidden: GriffelStyle = {
  position: 'absolute',
  width: '1px',
  height: '1px',
  margin: '-1px',
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
};
