import t from 'tap'
import { composePage } from '../../src/services/pages/compose.js'

const LAYOUT = '<title>{{title}}</title>{{styles}}<script src="/{{script}}.js"></script><header>{{nav}}</header><main>{{main}}</main>'

t.test('a page fragment is put into the layout', async (t) => {
  const page = composePage(LAYOUT, '<nav>site</nav>\n', '<!-- page {"title": "Log in", "script": "login"} -->\n<h1>Log in {{title}}</h1>\n', 'login.html')
  t.equal(page, '<title>Log in</title><script src="/login.js"></script><header><nav>site</nav>\n</header><main><h1>Log in {{title}}</h1>\n</main>',
    'with the default nav, and a placeholder inside the content left as it is')
})

t.test('a page may bring its own nav and stylesheets', async (t) => {
  const source = '<!-- page {"title": "A & B", "script": "dashboard", "styles": ["/chart.css"]} -->\n<!-- slot: nav -->\n<nav>own</nav>\n<!-- /slot -->\n<p>body</p>\n'
  t.equal(composePage(LAYOUT, '<nav>site</nav>\n', source, 'dashboard.html'),
    '<title>A &amp; B</title><link rel="stylesheet" href="/chart.css">\n<script src="/dashboard.js"></script><header><nav>own</nav>\n</header><main><p>body</p>\n</main>')
})

t.test('a page without its first line, or a layout with an unknown part, stops the start', async (t) => {
  t.throws(() => composePage(LAYOUT, '', '<h1>no meta</h1>', 'bad.html'), /bad.html does not start with its <!-- page/)
  t.throws(() => composePage('{{footer}}', '', '<!-- page {"title": "x", "script": "x"} -->\n', 'x.html'), /unknown part \{\{footer\}\}/)
})
