import type { Quickstart } from '../../api/types';

export interface SurfaceUrls {
  unified: string;
  openai: string;
  anthropic: string;
  gemini: string;
}

/** The server's base URL for each surface (PUBLIC_URL or the page's origin, the mounts included). */
export function surfaceUrls(quickstart: Quickstart): SurfaceUrls & Record<string, string> {
  return quickstart.surfaces;
}

export interface Snippet {
  id: string;
  label: string;
  language: string;
  code: string;
}

const KEY = 'TOLLGATE_API_KEY';

function curlSnippet(urls: SurfaceUrls, model: string): Snippet {
  return {
    id: 'curl',
    label: 'curl',
    language: 'shell',
    code: `curl ${urls.unified}/chat/completions \\
  -H "Authorization: Bearer $${KEY}" \\
  -H "Content-Type: application/json" \\
  -d '{"model": "${model}", "messages": [{"role": "user", "content": "Привет!"}]}'`,
  };
}

function pythonOpenAiSnippet(urls: SurfaceUrls, model: string): Snippet {
  return {
    id: 'python-openai',
    label: 'Python · openai',
    language: 'python',
    code: `import os
from openai import OpenAI

client = OpenAI(base_url="${urls.unified}", api_key=os.environ["${KEY}"])
reply = client.chat.completions.create(
    model="${model}",
    messages=[{"role": "user", "content": "Привет!"}],
)
print(reply.choices[0].message.content)`,
  };
}

function nodeOpenAiSnippet(urls: SurfaceUrls, model: string): Snippet {
  return {
    id: 'node-openai',
    label: 'Node · openai',
    language: 'javascript',
    code: `import OpenAI from 'openai';

const client = new OpenAI({ baseURL: '${urls.unified}', apiKey: process.env.${KEY} });
const reply = await client.chat.completions.create({
  model: '${model}',
  messages: [{ role: 'user', content: 'Привет!' }],
});
console.log(reply.choices[0].message.content);`,
  };
}

function pythonAnthropicSnippet(urls: SurfaceUrls): Snippet {
  return {
    id: 'python-anthropic',
    label: 'Python · anthropic',
    language: 'python',
    code: `import os
import anthropic

client = anthropic.Anthropic(base_url="${urls.anthropic}", api_key=os.environ["${KEY}"])
message = client.messages.create(
    model="claude-sonnet-4-5",
    max_tokens=1024,
    messages=[{"role": "user", "content": "Привет!"}],
)
print(message.content[0].text)`,
  };
}

function pythonGenAiSnippet(urls: SurfaceUrls): Snippet {
  return {
    id: 'python-genai',
    label: 'Python · google-genai',
    language: 'python',
    code: `import os
from google import genai
from google.genai import types

client = genai.Client(
    api_key=os.environ["${KEY}"],
    http_options=types.HttpOptions(base_url="${urls.gemini}"),
)
response = client.models.generate_content(model="gemini-2.5-flash", contents="Привет!")
print(response.text)`,
  };
}

/** The coding agents read their base URL and key from the environment. */
function cliSnippets(urls: SurfaceUrls): Snippet[] {
  return [
    {
      id: 'claude-code',
      label: 'Claude Code',
      language: 'shell',
      code: `export ANTHROPIC_BASE_URL="${urls.anthropic}"
export ANTHROPIC_AUTH_TOKEN="$${KEY}"
claude`,
    },
    {
      id: 'gemini-cli',
      label: 'Gemini CLI',
      language: 'shell',
      code: `export GOOGLE_GEMINI_BASE_URL="${urls.gemini}"
export GEMINI_API_KEY="$${KEY}"
gemini`,
    },
  ];
}

/** Copy-paste examples filled with this gateway's URLs; the key is read from the environment, never inlined. */
export function snippets(urls: SurfaceUrls, model: string): Snippet[] {
  return [
    curlSnippet(urls, model),
    pythonOpenAiSnippet(urls, model),
    nodeOpenAiSnippet(urls, model),
    pythonAnthropicSnippet(urls),
    pythonGenAiSnippet(urls),
    ...cliSnippets(urls),
  ];
}
