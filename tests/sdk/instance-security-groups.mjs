// Drives every security-group method of the official Scaleway JavaScript SDK
// (@scaleway/sdk-instance, Instance v1) against `secgroup serve`, checking the results.
//
// Environment (tests/sdk/run.sh sets it):
//   SCW_API_URL             the server, e.g. http://127.0.0.1:41234 (no trailing slash)
//   SCW_SECRET_KEY          a token the server knows for SCW_DEFAULT_PROJECT_ID
//   SCW_DEFAULT_PROJECT_ID  the project of that token
//   SECGROUP_OTHER_SECRET   a token of another project (403 checks)
// The server must start empty. Exit 0 when every check passes; an assertion error otherwise.
import assert from 'node:assert/strict'
import { createClient, Errors, waitForResource } from '@scaleway/sdk-client'
import { Instancev1 } from '@scaleway/sdk-instance'

const apiURL = process.env.SCW_API_URL
const secretKey = process.env.SCW_SECRET_KEY
const projectId = process.env.SCW_DEFAULT_PROJECT_ID
const otherSecret = process.env.SECGROUP_OTHER_SECRET
assert.ok(apiURL && secretKey && projectId && otherSecret, 'set SCW_API_URL, SCW_SECRET_KEY, ' +
  'SCW_DEFAULT_PROJECT_ID and SECGROUP_OTHER_SECRET (see tests/sdk/run.sh)')

const zone = 'fr-par-1'
const accessKey = 'SCWXXXXXXXXXXXXXXXXX'
const connect = (secret) => new Instancev1.API(createClient({
  accessKey,
  secretKey: secret,
  apiURL,
  defaultProjectId: projectId,
  defaultRegion: 'fr-par',
  defaultZone: zone,
}))
const api = connect(secretKey)

let checks = 0
const step = async (name, fn) => {
  await fn()
  checks += 1
  console.log(`ok ${checks} - ${name}`)
}

/** Asserts that `promise` rejects with an SDK error of class `type` and HTTP `status`. */
const rejectsWith = (promise, type, status) =>
  assert.rejects(promise, (e) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${e?.constructor?.name}: ${e}`)
    assert.equal(e.status, status)
    return true
  })

const userRules = (rules) => rules.filter((r) => r.editable)

/**
 * Waits until group `securityGroupId` leaves the SDK's transient states ("syncing", spec §7),
 * polling with the SDK's own waitForResource, as its waitFor* helpers do; the server's sync
 * delay is 300 ms by default. Returns the group.
 */
const waitForSecurityGroup = (securityGroupId) => waitForResource(
  async (sg) => !Instancev1.SECURITY_GROUP_TRANSIENT_STATUSES.includes(sg.state),
  async (request) => (await api.getSecurityGroup(request)).securityGroup,
  { zone, securityGroupId },
  { timeout: 30, minDelay: 1, maxDelay: 1 })  // the SDK allows no less than 1 s

// The six default SMTP rules of spec §6: fixed ids, positions 1..6, outbound TCP drops.
const defaultRuleIds = [1, 2, 3, 4, 5, 6].map((n) => `11111111-2222-4333-8444-00000000000${n}`)

await step('listDefaultSecurityGroupRules: the six default SMTP rules', async () => {
  const { rules } = await api.listDefaultSecurityGroupRules({ zone })
  assert.deepEqual(rules.map((r) => r.id), defaultRuleIds)
  assert.deepEqual(rules.map((r) => r.position), [1, 2, 3, 4, 5, 6])
  for (const r of rules) {
    assert.equal(r.editable, false)
    assert.equal(r.direction, 'outbound')
    assert.equal(r.action, 'drop')
    assert.equal(r.protocol, 'TCP')
    assert.equal(r.zone, zone)
  }
})

const groups = {}
await step('createSecurityGroup: three groups, defaults filled in', async () => {
  const { securityGroup: web } = await api.createSecurityGroup({
    name: 'web',
    description: 'front end',
    tags: ['web', 'prod'],
    stateful: true,
    inboundDefaultPolicy: 'drop',
    outboundDefaultPolicy: 'accept',
    enableDefaultSecurity: true,
  })
  assert.equal(web.name, 'web')
  assert.equal(web.description, 'front end')
  assert.deepEqual(web.tags, ['web', 'prod'])
  assert.equal(web.project, projectId)
  assert.equal(web.organization, projectId)
  assert.equal(web.inboundDefaultPolicy, 'drop')
  assert.equal(web.outboundDefaultPolicy, 'accept')
  assert.equal(web.stateful, true)
  assert.equal(web.projectDefault, false)
  assert.equal(web.state, 'available')
  assert.equal(web.zone, zone)
  assert.deepEqual(web.servers, [])
  assert.ok(web.creationDate instanceof Date && !Number.isNaN(web.creationDate.getTime()))
  assert.equal(web.modificationDate.getTime(), web.creationDate.getTime())
  groups.web = web

  const { securityGroup: db } = await api.createSecurityGroup({ name: 'db', tags: ['prod'] })
  assert.equal(db.description, null)
  assert.equal(db.inboundDefaultPolicy, 'accept')
  assert.equal(db.stateful, true)
  groups.db = db

  const { securityGroup: staging } = await api.createSecurityGroup({
    name: 'web-staging',
    projectDefault: true,
  })
  assert.equal(staging.projectDefault, true)
  groups.staging = staging
  assert.equal(new Set([web.id, db.id, staging.id]).size, 3)
})

await step('getSecurityGroup', async () => {
  const { securityGroup } = await api.getSecurityGroup({ securityGroupId: groups.web.id })
  assert.deepEqual(securityGroup, groups.web)
})

await step('listSecurityGroups: filters', async () => {
  const names = async (request) =>
    (await api.listSecurityGroups(request)).securityGroups.map((g) => g.name)
  const all = await api.listSecurityGroups()
  assert.equal(all.totalCount, 3)
  assert.deepEqual(all.securityGroups.map((g) => g.name), ['web', 'db', 'web-staging'])
  assert.deepEqual(await names({ name: 'web' }), ['web', 'web-staging'])
  assert.deepEqual(await names({ tags: ['prod'] }), ['web', 'db'])
  assert.deepEqual(await names({ tags: ['prod', 'web'] }), ['web'])
  assert.deepEqual(await names({ projectDefault: true }), ['web-staging'])
  assert.deepEqual(await names({ projectDefault: false }), ['web', 'db'])
  assert.deepEqual(await names({ project: projectId }), ['web', 'db', 'web-staging'])
  // Naming a project the token does not hold is refused, as with the real API.
  await rejectsWith(api.listSecurityGroups({ project: '00000000-0000-4000-8000-0000000000ff' }),
    Errors.PermissionsDeniedError, 403)
  assert.deepEqual(await names({ organization: projectId, name: 'db' }), ['db'])
  assert.deepEqual(await names({ name: 'nothing' }), [])
})

await step('listSecurityGroups: paging, all() and the async iterator', async () => {
  const second = await api.listSecurityGroups({ perPage: 1, page: 2 })
  assert.equal(second.totalCount, 3)
  assert.deepEqual(second.securityGroups.map((g) => g.id), [groups.db.id])
  const past = await api.listSecurityGroups({ perPage: 2, page: 5 })
  assert.deepEqual(past.securityGroups, [])
  assert.equal(past.totalCount, 3)
  const everything = await api.listSecurityGroups({ perPage: 1 }).all()
  assert.deepEqual(everything.map((g) => g.id), [groups.web.id, groups.db.id, groups.staging.id])
  const pages = []
  for await (const page of api.listSecurityGroups({ perPage: 2 })) pages.push(page.map((g) => g.name))
  assert.deepEqual(pages, [['web', 'db'], ['web-staging']])
  await rejectsWith(api.listSecurityGroups({ perPage: 101 }), Errors.InvalidArgumentsError, 400)
})

await step('updateSecurityGroup (PATCH)', async () => {
  const { securityGroup } = await api.updateSecurityGroup({
    securityGroupId: groups.db.id,
    name: 'database',
    description: 'postgres',
    tags: ['prod', 'data'],
    outboundDefaultPolicy: 'drop',
  })
  assert.equal(securityGroup.id, groups.db.id)
  assert.equal(securityGroup.name, 'database')
  assert.equal(securityGroup.description, 'postgres')
  assert.deepEqual(securityGroup.tags, ['prod', 'data'])
  assert.equal(securityGroup.outboundDefaultPolicy, 'drop')
  assert.equal(securityGroup.inboundDefaultPolicy, 'accept')
  assert.ok(securityGroup.modificationDate >= groups.db.modificationDate)
  assert.equal(securityGroup.creationDate.getTime(), groups.db.creationDate.getTime())
  // An effective change answers "syncing"; once the sync is over the group is "available"
  // and its modificationDate has moved once more, with no call of ours (spec §7).
  assert.equal(securityGroup.state, 'syncing')
  const synced = await waitForSecurityGroup(groups.db.id)
  assert.equal(synced.state, 'available')
  assert.ok(synced.modificationDate > securityGroup.modificationDate)
  assert.equal(synced.name, 'database')
  groups.db = synced

  // Making db the project default takes the flag from web-staging.
  const { securityGroup: now } = await api.updateSecurityGroup({
    securityGroupId: groups.db.id, projectDefault: true,
  })
  assert.equal(now.projectDefault, true)
  const { securityGroup: staging } = await api.getSecurityGroup({ securityGroupId: groups.staging.id })
  assert.equal(staging.projectDefault, false)
})

await step('_setSecurityGroup (PUT, protected in the SDK\'s types)', async () => {
  assert.equal(typeof api._setSecurityGroup, 'function')
  const { securityGroup } = await api._setSecurityGroup({
    id: groups.staging.id,
    name: 'staging',
    description: 'replaced',
    tags: ['staging'],
    stateful: false,
    inboundDefaultPolicy: 'drop',
    outboundDefaultPolicy: 'drop',
    projectDefault: false,
    organizationDefault: false,
    enableDefaultSecurity: false,
    project: projectId,
    organization: projectId,
  })
  assert.equal(securityGroup.id, groups.staging.id)
  assert.equal(securityGroup.name, 'staging')
  assert.equal(securityGroup.description, 'replaced')
  assert.deepEqual(securityGroup.tags, ['staging'])
  assert.equal(securityGroup.stateful, false)
  assert.equal(securityGroup.inboundDefaultPolicy, 'drop')
  assert.equal(securityGroup.outboundDefaultPolicy, 'drop')
  assert.equal(securityGroup.enableDefaultSecurity, false)
  // Without default security the group has no default rules.
  const { rules } = await api.listSecurityGroupRules({ securityGroupId: groups.staging.id })
  assert.deepEqual(rules, [])
  groups.staging = securityGroup
})

const rules = {}
await step('createSecurityGroupRule: append, insert at a position, normalise', async () => {
  const { rule: ssh } = await api.createSecurityGroupRule({
    securityGroupId: groups.web.id,
    protocol: 'TCP',
    direction: 'inbound',
    action: 'accept',
    ipRange: '10.1.2.3/8',
    destPortFrom: 22,
    destPortTo: 22,
    editable: true,
  })
  assert.equal(ssh.ipRange, '10.0.0.0/8')
  assert.equal(ssh.destPortFrom, 22)
  assert.equal(ssh.destPortTo, null)
  assert.equal(ssh.position, 1)
  assert.equal(ssh.editable, true)
  assert.equal(ssh.zone, zone)
  const { rule: dns } = await api.createSecurityGroupRule({
    securityGroupId: groups.web.id,
    protocol: 'UDP',
    direction: 'outbound',
    action: 'accept',
    ipRange: '2001:DB8:0:0::/32',
    destPortFrom: 53,
    position: 1,
  })
  assert.equal(dns.ipRange, '2001:db8::/32')
  assert.equal(dns.position, 1)
  const { rule: ping } = await api.createSecurityGroupRule({
    securityGroupId: groups.web.id,
    protocol: 'ICMP',
    direction: 'inbound',
    action: 'accept',
    ipRange: '0.0.0.0/0',
    destPortFrom: 80,
  })
  assert.equal(ping.destPortFrom, null)  // ICMP carries no ports
  assert.equal(ping.position, 3)
  Object.assign(rules, { ssh, dns, ping })
  await rejectsWith(api.createSecurityGroupRule({
    securityGroupId: groups.web.id,
    protocol: 'TCP',
    direction: 'inbound',
    action: 'accept',
    ipRange: '10.0.0.0/33',
    destPortFrom: 90,
    destPortTo: 80,
  }), Errors.InvalidArgumentsError, 400)
})

await step('listSecurityGroupRules and all(): default rules first, then positions', async () => {
  const listed = await api.listSecurityGroupRules({ securityGroupId: groups.web.id })
  assert.deepEqual(listed.rules.slice(0, 6).map((r) => r.id), defaultRuleIds)
  assert.deepEqual(userRules(listed.rules).map((r) => [r.id, r.position]),
    [[rules.dns.id, 1], [rules.ssh.id, 2], [rules.ping.id, 3]])
  const all = await api.listSecurityGroupRules({ securityGroupId: groups.web.id }).all()
  assert.deepEqual(all, listed.rules)
})

await step('getSecurityGroupRule', async () => {
  const { rule } = await api.getSecurityGroupRule({
    securityGroupId: groups.web.id, securityGroupRuleId: rules.ssh.id,
  })
  assert.deepEqual(rule, { ...rules.ssh, position: 2 })
  const { rule: smtp } = await api.getSecurityGroupRule({
    securityGroupId: groups.web.id, securityGroupRuleId: defaultRuleIds[0],
  })
  assert.equal(smtp.editable, false)
})

await step('updateSecurityGroupRule (PATCH)', async () => {
  const { rule } = await api.updateSecurityGroupRule({
    securityGroupId: groups.web.id,
    securityGroupRuleId: rules.ssh.id,
    destPortFrom: 8000,
    destPortTo: 8080,
    ipRange: '192.0.2.7/32',
    position: 1,
  })
  assert.equal(rule.id, rules.ssh.id)
  assert.equal(rule.destPortFrom, 8000)
  assert.equal(rule.destPortTo, 8080)
  assert.equal(rule.ipRange, '192.0.2.7')
  assert.equal(rule.position, 1)
  assert.equal(rule.protocol, 'TCP')
  const { rules: listed } = await api.listSecurityGroupRules({ securityGroupId: groups.web.id })
  assert.deepEqual(userRules(listed).map((r) => r.id), [rules.ssh.id, rules.dns.id, rules.ping.id])
  await rejectsWith(api.updateSecurityGroupRule({
    securityGroupId: groups.web.id, securityGroupRuleId: defaultRuleIds[2], action: 'accept',
  }), Errors.InvalidArgumentsError, 400)
})

await step('_setSecurityGroupRule (PUT, protected in the SDK\'s types)', async () => {
  assert.equal(typeof api._setSecurityGroupRule, 'function')
  const { rule } = await api._setSecurityGroupRule({
    securityGroupId: groups.web.id,
    securityGroupRuleId: rules.dns.id,
    id: rules.dns.id,
    protocol: 'TCP',
    direction: 'outbound',
    action: 'drop',
    ipRange: '198.51.100.0/24',
    destPortFrom: 443,
    destPortTo: 443,
    position: 0,
    editable: true,
  })
  assert.equal(rule.id, rules.dns.id)
  assert.equal(rule.protocol, 'TCP')
  assert.equal(rule.action, 'drop')
  assert.equal(rule.ipRange, '198.51.100.0/24')
  assert.equal(rule.destPortFrom, 443)
  assert.equal(rule.destPortTo, null)
  assert.equal(rule.position, 2)  // position 0 keeps the rule's place
})

await step('setSecurityGroupRules: update by id, create without id, delete the rest', async () => {
  const { rules: result } = await api.setSecurityGroupRules({
    securityGroupId: groups.web.id,
    rules: [
      { id: rules.ping.id, protocol: 'ICMP', direction: 'inbound', action: 'drop',
        ipRange: '0.0.0.0/0', position: 1, editable: true, zone },
      { protocol: 'ANY', direction: 'outbound', action: 'accept', ipRange: '::/0', position: 2 },
      // A default rule sent back is ignored.
      { id: defaultRuleIds[0], protocol: 'TCP', direction: 'outbound', action: 'drop',
        ipRange: '0.0.0.0/0', destPortFrom: 25, position: 1, editable: false },
    ],
  })
  assert.deepEqual(result.slice(0, 6).map((r) => r.id), defaultRuleIds)
  const user = userRules(result)
  assert.equal(user.length, 2)
  assert.equal(user[0].id, rules.ping.id)
  assert.equal(user[0].action, 'drop')
  assert.equal(user[0].position, 1)
  assert.ok(![rules.ssh.id, rules.dns.id, rules.ping.id].includes(user[1].id))
  assert.equal(user[1].protocol, 'ANY')
  assert.equal(user[1].position, 2)
  await rejectsWith(api.getSecurityGroupRule({
    securityGroupId: groups.web.id, securityGroupRuleId: rules.ssh.id,
  }), Errors.ResourceNotFoundError, 404)
  rules.any = user[1]
  // Sending the listed rules back changes nothing (once the sync of the change above is over,
  // so that its date bump cannot fall between the two reads).
  const before = await waitForSecurityGroup(groups.web.id)
  const { rules: again } = await api.setSecurityGroupRules({
    securityGroupId: groups.web.id, rules: user,
  })
  assert.deepEqual(userRules(again), user)
  const { securityGroup: after } = await api.getSecurityGroup({ securityGroupId: groups.web.id })
  assert.equal(after.modificationDate.getTime(), before.modificationDate.getTime())
  assert.equal(after.state, 'available')
})

await step('deleteSecurityGroupRule', async () => {
  const done = await api.deleteSecurityGroupRule({
    securityGroupId: groups.web.id, securityGroupRuleId: rules.ping.id,
  })
  assert.equal(done, undefined)
  const { rules: listed } = await api.listSecurityGroupRules({ securityGroupId: groups.web.id })
  assert.deepEqual(userRules(listed).map((r) => [r.id, r.position]), [[rules.any.id, 1]])
  await rejectsWith(api.deleteSecurityGroupRule({
    securityGroupId: groups.web.id, securityGroupRuleId: rules.ping.id,
  }), Errors.ResourceNotFoundError, 404)
})

await step('authentication: unknown token 401, other project 403, lists narrowed', async () => {
  await rejectsWith(connect('3f0c1d2e-aaaa-4bbb-8ccc-0000000000ff').listSecurityGroups(),
    Errors.DeniedAuthenticationError, 401)
  const other = connect(otherSecret)
  await rejectsWith(other.getSecurityGroup({ securityGroupId: groups.web.id }),
    Errors.PermissionsDeniedError, 403)
  await rejectsWith(other.deleteSecurityGroup({ securityGroupId: groups.web.id }),
    Errors.PermissionsDeniedError, 403)
  const seen = await other.listSecurityGroups()
  assert.deepEqual(seen.securityGroups, [])
  assert.equal(seen.totalCount, 0)
  await rejectsWith(other.listSecurityGroups({ project: projectId }),
    Errors.PermissionsDeniedError, 403)
})

await step('deleteSecurityGroup', async () => {
  for (const g of [groups.web, groups.db, groups.staging]) {
    assert.equal(await api.deleteSecurityGroup({ securityGroupId: g.id }), undefined)
    await rejectsWith(api.getSecurityGroup({ securityGroupId: g.id }),
      Errors.ResourceNotFoundError, 404)
  }
  const { securityGroups, totalCount } = await api.listSecurityGroups()
  assert.deepEqual(securityGroups, [])
  assert.equal(totalCount, 0)
})

console.log(`secgroup sdk test: ${checks} steps passed`)
