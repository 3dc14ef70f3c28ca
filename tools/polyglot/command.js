// A command written in JavaScript: prints what the `greeter` it imports says to "world".
import { greet } from 'poly-glot3:component/greeter';

export const run = {
  run() {
    console.log(greet('world'));
  },
};
