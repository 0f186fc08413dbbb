import common from '@nestjs/common/package.json' with { type: 'json' }
import core from '@nestjs/core/package.json' with { type: 'json' }
import express from '@nestjs/platform-express/package.json' with { type: 'json' }
import fastify from '@nestjs/platform-fastify/package.json' with { type: 'json' }
import { describe, expect, it } from 'vitest'
import { nestMajor } from './nest.js'

describe(`the Nest this project runs`, () => {
  it(`is Nest ${nestMajor}, every package at the same major`, () => {
    expect([11, 12]).toContain(nestMajor)
    const majors = [common, core, express, fastify].map((pkg) => Number(pkg.version.split('.')[0]))
    expect(majors).toEqual([nestMajor, nestMajor, nestMajor, nestMajor])
  })
})
