// The API key lives in sessionStorage only: it is gone when the tab closes and never reaches a cookie or the URL.
const KeyName = 'broker.apiKey';

export interface Me {
  keyId: string;
  name: string;
  role: 'submitter' | 'finance' | 'ops' | 'admin';
  team?: string | null;
}

let me: Me | null = null;

export const session = {
  key: (): string | null => sessionStorage.getItem(KeyName),
  setKey: (key: string): void => sessionStorage.setItem(KeyName, key),
  me: (): Me | null => me,
  setMe: (value: Me | null): void => { me = value; },
  clear: (): void => { sessionStorage.removeItem(KeyName); me = null; },
};
