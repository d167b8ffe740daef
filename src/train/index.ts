// Public names of the train room.
export {};
